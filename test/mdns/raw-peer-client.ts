/** Starts test/mdns/raw-peer.ts and flood-victim.ts on hosts of a private segment. */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SegmentHost } from '../support/private-segment.js';

/** Waits for a child to exit; its stdout, or a failure with its stderr. */
export function finished(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${child.spawnargs.join(' ')}: ${code} ${err}`)),
    );
  });
}

/** Runs test/mdns/raw-peer.ts in one mode on `host`; its JSON result. */
export async function rawPeer(
  host: SegmentHost,
  mode: string,
  args: Record<string, unknown>,
): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL('./raw-peer.ts', import.meta.url));
  const child = host.spawn([
    process.execPath,
    '--import',
    'tsx',
    script,
    mode,
    JSON.stringify(args),
  ]);
  return JSON.parse(await finished(child)) as Record<string, number>;
}

/** Starts raw-peer.ts in a mode that prints a ready line first (`answer`); its result later. */
export async function startRawPeer(
  host: SegmentHost,
  mode: string,
  args: Record<string, unknown>,
): Promise<{ result: Promise<Record<string, number>> }> {
  const script = fileURLToPath(new URL('./raw-peer.ts', import.meta.url));
  const child = host.spawn([
    process.execPath,
    '--import',
    'tsx',
    script,
    mode,
    JSON.stringify(args),
  ]);
  const output = finished(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('"ready":true')) resolve();
    });
    output.catch(reject);
  });
  const result = output.then((out) => {
    const last = out.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last) as Record<string, number>;
  });
  return { result };
}

/** The command line of a flood victim (drive it with lan-agent-client.ts's Agent). */
export function victimCommand(hostName: string): string[] {
  const script = fileURLToPath(new URL('./flood-victim.ts', import.meta.url));
  return [process.execPath, '--import', 'tsx', script, hostName];
}
