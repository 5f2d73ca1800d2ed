/** `cfstream publish <name> <type> <port> [key=value ...]`: advertise a service until interrupted. */
import { NetService, type TxtInput } from '../../index.js';
import { expectPositionals, flag, parsePort, stringOption, UsageError } from '../args.js';
import { type Command, ExitStatus, whenAborted } from '../command.js';
import { txtToJson } from '../output.js';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'advertise a service until interrupted',
  help: `usage: cfstream publish <name> <type> <port> [key=value ...] [--domain D] [--no-rename]

Publishes a service instance, for example
  cfstream publish "My Echo" _echo._tcp 7000 path=/ version=1
It probes for the name, takes "My Echo (2)" if another host holds it, prints
the final name, answers queries until interrupted (Ctrl-C, SIGTERM), then
sends goodbyes. A TXT argument "key" alone is a boolean attribute.

options:
  --domain D      the domain (default local.)
  --no-rename     fail with NetServices -72001 instead of renaming on a conflict

--json prints {"event":"published","instance","name","type","domain","port","txt"}, then
{"event":"stopped","instance"} after the goodbyes.`,
  options: { domain: { type: 'string' }, 'no-rename': { type: 'boolean' } },
  async run({ args, out, interrupted }) {
    expectPositionals(args.positionals, 3, Number.POSITIVE_INFINITY, 'name, type and port');
    const [name, type, portText, ...txtArgs] = args.positionals as [
      string,
      string,
      string,
      ...string[],
    ];
    const port = parsePort(portText, 'port', 'publish');
    const txt = parseTxt(txtArgs);
    const domain = stringOption(args.values, 'domain') ?? 'local.';
    let service: NetService;
    try {
      service = new NetService(domain, type, name, port);
      await service.publish({ txt, noRename: flag(args.values, 'no-rename') });
    } catch (error) {
      out.error(error);
      return ExitStatus.Failed;
    }
    const instance = service.toString();
    out.result(
      {
        event: 'published',
        instance,
        name: service.name,
        type: service.type,
        domain: service.domain,
        port,
        txt: txtToJson(
          Object.fromEntries(
            Object.entries(txt).map(([k, v]) => [k, v === true ? true : Buffer.from(String(v))]),
          ),
        ),
      },
      `published ${instance} on port ${port}`,
    );
    await whenAborted(interrupted);
    await service.stop();
    out.result({ event: 'stopped', instance }, `stopped ${instance}`);
    return ExitStatus.Ok;
  },
};

/** `key=value` and `key` arguments as a TXT dictionary; a repeated key is a usage error. */
export function parseTxt(items: readonly string[]): TxtInput {
  const txt: Record<string, string | true> = {};
  const seen = new Set<string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === '') throw new UsageError(`TXT attribute ${JSON.stringify(item)} has no key`);
    if (seen.has(key.toLowerCase()))
      throw new UsageError(`TXT key ${JSON.stringify(key)} given twice`);
    seen.add(key.toLowerCase());
    txt[key] = eq < 0 ? true : item.slice(eq + 1);
  }
  return txt;
}
