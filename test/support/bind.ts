/**
 * Starts BIND 9 (`named -g`, Debian packages bind9 and bind9-dnsutils) on
 * 127.0.0.1 on a free port for tests, authoritative for one zone made for
 * the test with a fresh TSIG key (hmac-sha256) allowed to update it
 * (`update-policy { grant KEY zonesub ANY; }`). Every start copies a fresh
 * zone file into its own temporary directory: named rewrites the file and
 * keeps a .jnl journal. Also runs `dig` and `nsupdate` against it.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitName } from '../../src/dns/dns-name.js';
import type { TsigAlgorithmName } from '../../src/unicast/config.js';

const NAMED = '/usr/sbin/named';

/** A running named. */
export interface BindServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** "127.0.0.1:PORT". */
  readonly server: string;
  readonly zone: string;
  readonly key: {
    readonly name: string;
    readonly algorithm: TsigAlgorithmName;
    readonly secret: string;
  };
  log(): string;
  /** `dig` output lines (+short) for a name and type. */
  dig(name: string, type: string): string[];
  /** Runs nsupdate with the key; `commands` without "send". */
  nsupdate(commands: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Why named cannot run here, or undefined. */
export function bindUnavailable(): string | undefined {
  if (!existsSync(NAMED)) return `${NAMED} not found: apt-get install bind9 bind9-dnsutils`;
  return undefined;
}

/** A presentation-form name (RFC 6763 §4.3 escapes) as a zone file writes it: every odd byte as \DDD. */
export function zoneFileName(name: string): string {
  return splitName(name)
    .map((label) =>
      [...Buffer.from(label, 'utf8')]
        .map((b) =>
          /[A-Za-z0-9_-]/.test(String.fromCharCode(b))
            ? String.fromCharCode(b)
            : `\\${String(b).padStart(3, '0')}`,
        )
        .join(''),
    )
    .join('.');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts named for `zone` with `records` (zone-file lines, owner names relative or absolute). */
export async function startBind(options: {
  zone?: string;
  records?: readonly string[];
  ttl?: number;
  /** The TSIG key's algorithm (default hmac-sha256). */
  algorithm?: TsigAlgorithmName;
}): Promise<BindServer> {
  const zone = options.zone ?? 'example.test';
  const dir = await mkdtemp(join(tmpdir(), 'cfstream-bind-'));
  const port = await freePort();
  const key = {
    name: 'cfstream-test-key',
    algorithm: options.algorithm ?? 'hmac-sha256',
    secret: randomBytes(32).toString('base64'),
  };
  const ttl = options.ttl ?? 60;
  await writeFile(
    join(dir, 'zone.db'),
    [
      `$ORIGIN ${zone}.`,
      `$TTL ${ttl}`,
      `@ IN SOA ns.${zone}. admin.${zone}. 1 60 60 600 ${Math.min(ttl, 5)}`,
      '@ IN NS ns',
      'ns IN A 127.0.0.1',
      ...(options.records ?? []),
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'named.conf'),
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  max-records-per-type 0;
};
controls { };
key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };
zone "${zone}" {
  type primary;
  file "${dir}/zone.db";
  update-policy { grant ${key.name} zonesub ANY; };
};
`,
  );
  let output = '';
  const child: ChildProcess = spawn(NAMED, ['-g', '-c', join(dir, 'named.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`named did not start:\n${output}`)), 10_000);
    const check = (): void => {
      if (/not loaded due to errors/.test(output)) {
        clearTimeout(timer);
        reject(new Error(`named did not load the zone:\n${output}`));
      } else if (/ running\r?$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      } else if (/exiting \(due to/.test(output)) {
        clearTimeout(timer);
        reject(new Error(`named failed:\n${output}`));
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`named exited:\n${output}`));
    });
  });
  const server = `127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    server,
    zone,
    key,
    log: () => output,
    dig(name, type) {
      const result = spawnSync(
        'dig',
        ['+short', '+tries=1', '+time=2', '-p', String(port), '@127.0.0.1', name, type],
        {
          encoding: 'utf8',
        },
      );
      return result.stdout.split('\n').filter((l) => l.length > 0);
    },
    nsupdate(commands) {
      // Asynchronous: a blocked event loop would starve the client under test of its replies.
      const script = [`server 127.0.0.1 ${port}`, `zone ${zone}`, ...commands, 'send', ''].join(
        '\n',
      );
      return new Promise<void>((resolve, reject) => {
        const child = execFile(
          'nsupdate',
          ['-y', `${key.algorithm}:${key.name}:${key.secret}`],
          (error, _out, stderr) =>
            error ? reject(new Error(`nsupdate failed: ${stderr}`)) : resolve(),
        );
        child.stdin?.end(script);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
