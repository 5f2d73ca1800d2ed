/** `cfstream resolve <instance>`: host name, port, addresses and TXT of one service. */
import { NetService, type NetServiceInfo } from '../../index.js';
import { expectPositionals, integerOption } from '../args.js';
import { type Command, ExitStatus, untilInterrupted } from '../command.js';
import { addressesToJson, txtToJson, txtToText } from '../output.js';

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'show the host, port, addresses and TXT of a service',
  help: `usage: cfstream resolve <instance> [--timeout MS]

Resolves a service instance by its full name, for example
  cfstream resolve "My Echo._echo._tcp.local."
and prints its host name, port, addresses and TXT attributes. Dots and
backslashes inside the instance label are escaped as \\. and \\\\ (RFC 6763).

options:
  --timeout MS    give up after MS milliseconds (default 5000): NetServices -72007

--json prints {"event":"resolved","instance","hostName","port","addresses":[{address,family}],"txt"}.`,
  options: { timeout: { type: 'string' } },
  async run({ args, out, interrupted }) {
    expectPositionals(args.positionals, 1, 1, 'service instance name');
    const timeout = integerOption(args.values, 'timeout', 1, 2 ** 31 - 1);
    let info: NetServiceInfo;
    let service: NetService;
    try {
      service = NetService.parse(args.positionals[0] as string);
      info = await untilInterrupted(
        service.resolve$(timeout === undefined ? {} : { timeout }),
        interrupted,
      );
    } catch (error) {
      if (interrupted.aborted) return ExitStatus.Interrupted;
      out.error(error);
      return ExitStatus.Failed;
    }
    const instance = service.toString();
    const lines = [
      instance,
      `  host       ${info.hostName}`,
      `  port       ${info.port}`,
      ...info.addresses.map((a) => `  address    ${a.address}`),
    ];
    const txt = txtToText(info.txt);
    if (txt !== '') lines.push(`  txt        ${txt}`);
    out.result(
      {
        event: 'resolved',
        instance,
        hostName: info.hostName,
        port: info.port,
        addresses: addressesToJson(info.addresses),
        txt: txtToJson(info.txt),
      },
      lines.join('\n'),
    );
    return ExitStatus.Ok;
  },
};
