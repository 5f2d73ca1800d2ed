/** `cfstream browse <type>`: services of a type as they come and go, like `dns-sd -B`. */
import { NetServiceBrowser } from '../../index.js';
import { expectPositionals, integerOption, stringOption } from '../args.js';
import { afterTimeout, type Command, ExitStatus, whenAborted } from '../command.js';

export const browseCommand: Command = {
  name: 'browse',
  summary: 'list services of a type as they come and go',
  help: `usage: cfstream browse <type> [--domain D] [--timeout MS]

Browses for instances of a service type (for example _echo._tcp) and prints
one line per change: "found" or "removed" and the full instance name, which
resolve and connect accept. Runs until interrupted, or for --timeout MS.

options:
  --domain D      the domain to browse (default local.)
  --timeout MS    stop after MS milliseconds (exit status 0)

--json prints {"event":"found"|"removed","instance","name","type","domain","moreComing"}.`,
  options: { domain: { type: 'string' }, timeout: { type: 'string' } },
  async run({ args, out, interrupted }) {
    expectPositionals(args.positionals, 1, 1, 'service type (for example _echo._tcp)');
    const type = args.positionals[0] as string;
    const domain = stringOption(args.values, 'domain') ?? 'local.';
    const timeout = integerOption(args.values, 'timeout', 1, 2 ** 31 - 1);
    const stop = new AbortController();
    interrupted.addEventListener('abort', () => stop.abort(), { once: true });
    let failure: unknown;
    const subscription = new NetServiceBrowser().browse$(type, domain).subscribe({
      next: ({ kind, service, moreComing }) => {
        const instance = service.toString();
        out.result(
          {
            event: kind,
            instance,
            name: service.name,
            type: service.type,
            domain: service.domain,
            moreComing,
          },
          `${kind === 'found' ? 'found  ' : 'removed'}  ${instance}`,
        );
      },
      error: (error: unknown) => {
        failure = error;
        stop.abort();
      },
    });
    await Promise.race([whenAborted(stop.signal), afterTimeout(timeout, stop.signal)]);
    stop.abort();
    subscription.unsubscribe();
    if (failure !== undefined) {
      out.error(failure);
      return ExitStatus.Failed;
    }
    return ExitStatus.Ok;
  },
};
