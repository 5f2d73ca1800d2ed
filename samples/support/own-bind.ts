/**
 * For the wide-area sample: a BIND 9 (`named`, Debian package bind9) of its
 * own on 127.0.0.1, authoritative for "example.test." and accepting updates
 * signed with a key made for this run, in a temporary directory removed on
 * stop. docs/guide/wide-area.md sets up the same for a real domain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running named and what a client needs to use it. */
export interface OwnBind {
  readonly server: string;
  readonly zone: string;
  readonly key: { name: string; algorithm: 'hmac-sha256'; secret: string };
  stop(): Promise<void>;
}

/** Starts named for example.test. on a free port of 127.0.0.1, with `records` (zone-file lines) in the zone. */
export async function startOwnBind(records: readonly string[] = []): Promise<OwnBind> {
  const dir = await mkdtemp(join(tmpdir(), 'cfstream-sample-bind-'));
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const key = {
    name: 'sample-key',
    algorithm: 'hmac-sha256' as const,
    secret: randomBytes(32).toString('base64'),
  };
  const zone = 'example.test';
  await writeFile(
    join(dir, 'zone.db'),
    `$TTL 60\n@ IN SOA ns.${zone}. admin.${zone}. 1 60 60 600 5\n@ IN NS ns\nns IN A 127.0.0.1\n${records.join('\n')}\n`,
  );
  await writeFile(
    join(dir, 'named.conf'),
    `options { directory "${dir}"; pid-file "${dir}/named.pid"; session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no;
  max-records-per-type 0; };
controls { };
key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };
zone "${zone}" { type primary; file "${dir}/zone.db"; update-policy { grant ${key.name} zonesub ANY; }; };
`,
  );
  const named: ChildProcess = spawn('named', ['-g', '-c', join(dir, 'named.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    named.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/not loaded due to errors/.test(log))
        reject(new Error(`named did not load the zone:\n${log}`));
      else if (/ running\r?$/m.test(log)) resolve();
    });
    named.once('exit', () => reject(new Error(`named did not start:\n${log}`)));
  });
  named.stderr?.resume();
  return {
    server: `127.0.0.1:${port}`,
    zone: `${zone}.`,
    key,
    async stop() {
      const exited = once(named, 'exit');
      named.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
