/**
 * `cfstream publish <name> <type> <port> [key=value ...]`: advertise a
 * service until interrupted; each line read on stdin becomes its new TXT.
 */
import { createInterface } from 'node:readline';
import { NetService, type TxtInput } from '../../index.js';
import { expectPositionals, flag, parsePort, stringOption, UsageError } from '../args.js';
import { type Command, ExitStatus, whenAborted } from '../command.js';
import { type Output, txtToJson } from '../output.js';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'advertise a service until interrupted',
  help: `usage: cfstream publish <name> <type> <port> [key=value ...] [--subtype S]... [--domain D] [--no-rename]

Publishes a service instance, for example
  cfstream publish "My Echo" _echo._tcp 7000 path=/ version=1
It probes for the name, takes "My Echo (2)" if another host holds it, prints
the final name, answers queries until interrupted (Ctrl-C, SIGTERM), then
sends goodbyes. A TXT argument "key" alone is a boolean attribute.

While it runs, each line on stdin ("key=value key2 ...", separated by
spaces; an empty line for an empty TXT) replaces the TXT and is announced
to the link (peers see an update, not a new service). A bad line is
reported and the service keeps its TXT.

options:
  --subtype S     also answer for subtype S (for example _printer: browsed as
                  _printer._sub._http._tcp); repeatable
  --domain D      the domain (default local.)
  --no-rename     fail with NetServices -72001 instead of renaming on a conflict

--json prints {"event":"published","instance","name","type","domain","port","txt"}
("subtypes" too when given), {"event":"updated","instance","txt"} for each stdin line, then
{"event":"stopped","instance"} after the goodbyes.`,
  options: {
    domain: { type: 'string' },
    'no-rename': { type: 'boolean' },
    subtype: { type: 'string', multiple: true },
  },
  async run({ args, out, io, interrupted }) {
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
    const subtypes = (args.values.subtype ?? []) as string[];
    let service: NetService;
    try {
      service = new NetService(domain, type, name, port);
      await service.publish({ txt, noRename: flag(args.values, 'no-rename'), subtypes });
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
        txt: txtForJson(txt),
        ...(subtypes.length > 0 ? { subtypes } : {}),
      },
      `published ${instance} on port ${port}`,
    );
    const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => updateTxt(service, line, out));
    await whenAborted(interrupted);
    lines.close();
    await service.stop();
    out.result({ event: 'stopped', instance }, `stopped ${instance}`);
    return ExitStatus.Ok;
  },
};

// One stdin line as the new TXT (CFNetServiceSetTXTData); a bad line, or a change the DNS server
// refuses, leaves the TXT as it was and is reported.
function updateTxt(service: NetService, line: string, out: Output): void {
  const instance = service.toString();
  let txt: TxtInput;
  let change: Promise<void>;
  try {
    txt = parseTxt(line.split(/\s+/).filter((word) => word !== ''));
    change = service.setTXTData(txt);
  } catch (error) {
    out.error(error);
    return;
  }
  change.then(
    () =>
      out.result(
        { event: 'updated', instance, txt: txtForJson(txt) },
        `updated ${instance}: ${line.trim() === '' ? '(empty TXT)' : line.trim()}`,
      ),
    (error: unknown) => out.error(error),
  );
}

const txtForJson = (txt: TxtInput) =>
  txtToJson(
    Object.fromEntries(
      Object.entries(txt).map(([k, v]) => [k, v === true ? true : Buffer.from(String(v))]),
    ),
  );

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
