/**
 * Runs one `cfstream` command line and returns its exit status: picks the
 * command, parses its options, applies `--interface`, `--dns-server` and
 * `--tsig`, turns a thrown
 * UsageError into status 2 and any other failure into the one-line error and
 * status 1. SIGINT and SIGTERM abort the `interrupted` signal; a second one
 * exits at once.
 */
import { networkInterfaces } from 'node:os';
import { configureUnicastDNS, parseTsigSpec, resetMdnsEngine } from '../index.js';
import { type OptionValues, parseCommandArgs, stringOption, UsageError } from './args.js';
import { type Command, ExitStatus } from './command.js';
import { commands } from './commands/index.js';
import { type CliIO, Output } from './output.js';

const COMMON_HELP = `common options:
  --interface NAMES  mDNS on these interfaces only (names or addresses, comma-separated;
                     default: $CFSTREAM_INTERFACE, else every up multicast interface)
  --dns-server HOST[:PORT]  unicast DNS-SD (every domain but local.) asks this server;
                     repeatable (default: $CFSTREAM_DNS_SERVERS, else the system's resolvers)
  --tsig ZONE:ALGORITHM:NAME:SECRET  the TSIG key that signs updates of ZONE (publish);
                     repeatable (default: $CFSTREAM_TSIG); hmac-sha256, -sha1, -sha384, -sha512
  --json             one JSON object per line (errors: {"event":"error","domain","code",...})
  -h, --help         this help`;

/** The top-level help. */
export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `usage: cfstream <command> [options]

Bonjour (mDNS/DNS-SD) and socket streams from the command line.

commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${COMMON_HELP}

Errors print one line on stderr (the CF error domain by name and number, the
code and its meaning) and exit 1; usage errors exit 2. "cfstream <command>
--help" describes each command.`;
}

/** The help of one command, with the common options. */
export const commandHelp = (command: Command): string => `${command.help}\n\n${COMMON_HELP}`;

/** Runs `argv` (without node and the script); resolves with the exit status. */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  interrupted: AbortSignal,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (name === undefined) {
      io.stderr.write(`${mainHelp()}\n`);
      return ExitStatus.Usage;
    }
    io.stdout.write(`${topic ? commandHelp(topic) : mainHelp()}\n`);
    return ExitStatus.Ok;
  }
  const command = commands.find((c) => c.name === name);
  const json = rest.includes('--json');
  if (command === undefined) {
    return usage(io, 'cfstream', `unknown command ${JSON.stringify(name)}`, json);
  }
  const out = new Output(io, command.name, json);
  try {
    const args = parseCommandArgs(rest, command.options);
    if (args.values.help === true) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return ExitStatus.Ok;
    }
    applyUnicastOptions(args.values);
    const iface = stringOption(args.values, 'interface');
    if (iface !== undefined) {
      checkInterfaces(iface);
      resetMdnsEngine({ interface: iface });
    }
    return await command.run({ args, out, io, interrupted });
  } catch (error) {
    if (error instanceof UsageError)
      return usage(io, `cfstream ${command.name}`, error.message, json);
    out.error(error);
    return ExitStatus.Failed;
  } finally {
    await out.flush();
  }
}

/** --dns-server and --tsig configure unicast DNS-SD; a bad value is a usage error (the secret never shown). */
function applyUnicastOptions(values: OptionValues): void {
  const list = (name: string): string[] | undefined => {
    const value = values[name];
    return Array.isArray(value)
      ? value.filter((v): v is string => typeof v === 'string')
      : undefined;
  };
  const servers = list('dns-server');
  const tsig = list('tsig');
  if (servers === undefined && tsig === undefined) return;
  try {
    const keys = Object.fromEntries(
      (tsig ?? []).map((spec) => {
        const { zone, key } = parseTsigSpec(spec);
        return [zone, key] as const;
      }),
    );
    configureUnicastDNS({ ...(servers === undefined ? {} : { servers }), keys });
  } catch (error) {
    // The messages name the server or the key, never the secret.
    throw new UsageError((error as Error).message.replace(/ \(NetServices -?\d+\)$/, ''));
  }
}

/** Each comma-separated item must name an interface of this host or one of its addresses. */
function checkInterfaces(list: string): void {
  const present = networkInterfaces();
  const known = new Set<string>(Object.keys(present));
  for (const entries of Object.values(present))
    for (const entry of entries ?? []) known.add(entry.address);
  const items = list.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new UsageError('--interface needs interface names or addresses, comma-separated');
  for (const item of items) {
    if (!known.has(item))
      throw new UsageError(
        `--interface: no interface or address ${JSON.stringify(item)} here (interfaces: ${Object.keys(present).join(', ')})`,
      );
  }
}

function usage(io: CliIO, who: string, message: string, json: boolean): number {
  io.stderr.write(
    json
      ? `${JSON.stringify({ event: 'error', usage: true, message })}\n`
      : `${who}: ${message}\n(see "${who} --help")\n`,
  );
  return ExitStatus.Usage;
}
