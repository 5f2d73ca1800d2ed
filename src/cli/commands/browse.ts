/**
 * `cfstream browse <type>`: services of a type as they come and go, like
 * `dns-sd -B`; with --resolve a live view with host, port and TXT (`dns-sd
 * -Z` kept current); with --types the service types on the link.
 */
import { NetServiceBrowser } from '../../index.js';
import { expectPositionals, flag, integerOption, stringOption, UsageError } from '../args.js';
import { afterTimeout, type Command, ExitStatus, whenAborted } from '../command.js';
import { printServices, printTypes } from './browse-live.js';

export const browseCommand: Command = {
  name: 'browse',
  summary: 'list services of a type as they come and go',
  help: `usage: cfstream browse <type> [--resolve] [--domain D] [--timeout MS]
       cfstream browse --types [--domain D] [--timeout MS]

Browses for instances of a service type (for example _echo._tcp) and prints
one line per change: "found" or "removed" and the full instance name, which
resolve and connect accept. Runs until interrupted, or for --timeout MS.
A subtype is browsed as _printer._sub._http._tcp.

options:
  --resolve       a live view: "found", "updated" (TXT, port, host or addresses
                  changed) or "removed", with host:port and TXT
  --types         list the service types on the link instead (RFC 6763 §9)
  --domain D      the domain to browse (default local.)
  --timeout MS    stop after MS milliseconds (exit status 0)

--json prints {"event":"found"|"removed","instance","name","type","domain","moreComing"};
with --resolve also "updated", and "hostName","port","addresses","txt";
with --types {"event":"found"|"removed","type","domain","moreComing"}.`,
  options: {
    domain: { type: 'string' },
    timeout: { type: 'string' },
    resolve: { type: 'boolean' },
    types: { type: 'boolean' },
  },
  async run({ args, out, interrupted }) {
    const types = flag(args.values, 'types');
    if (types) {
      expectPositionals(args.positionals, 0, 0, '');
      if (flag(args.values, 'resolve'))
        throw new UsageError('--types and --resolve do not go together');
    } else expectPositionals(args.positionals, 1, 1, 'service type (for example _echo._tcp)');
    const type = args.positionals[0] as string;
    const domain = stringOption(args.values, 'domain') ?? 'local.';
    const timeout = integerOption(args.values, 'timeout', 1, 2 ** 31 - 1);
    const stop = new AbortController();
    interrupted.addEventListener('abort', () => stop.abort(), { once: true });
    let failure: unknown;
    const failed = (error: unknown): void => {
      failure = error;
      stop.abort();
    };
    const live = types
      ? printTypes(out, domain, failed)
      : flag(args.values, 'resolve')
        ? printServices(out, type, domain, failed)
        : undefined;
    const subscription =
      live ??
      new NetServiceBrowser().browse$(type, domain).subscribe({
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
        error: failed,
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
