/**
 * Where the time goes in one throughput case: runs it under the V8 CPU
 * profiler (the one `node --cpu-prof` uses, driven through node:inspector),
 * writes bench/results/profile-API-DIRECTION.cpuprofile (open it in Chrome
 * DevTools) and prints the functions with the most self time.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/profile.ts cf download [MiB] [--source] [--block=KiB]
 *
 * --block sets the bytes per write() and per CF read() (default: 1 MiB writes, 64 KiB reads).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import { type Profile, selfTimes } from './cpu-profile.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';
import { MiB, round, timed } from './stats.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

const [api = 'cf', direction = 'download', mib = '1024'] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'));
const clients: Record<string, Client> = { raw: rawClient, cf: cfClient, duplex: duplexClient };
const client = clients[api];
if (client === undefined) throw new Error(`api must be raw, cf or duplex, not ${api}`);
const size = Number(mib) * MiB;
const blockArg = process.argv.find((a) => a.startsWith('--block='));
if (blockArg !== undefined) useBlockSize(Number(blockArg.slice(8)) * 1024);

const from = process.argv.includes('--source') ? 'source' : buildLibrary();
await loadLibrary(from);
const server = await startBenchServer(size);
const port = portFor(server.ports, direction as Direction);
const session = new Session();
try {
  await client[direction as Direction](port, 64 * MiB); // warm-up
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const { ms } = await timed(() => client[direction as Direction](port, size));
  const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
  const file = new URL(`./results/profile-${api}-${direction}.cpuprofile`, import.meta.url);
  await writeFile(file, JSON.stringify(profile));
  console.log(
    `${api} ${direction}: ${size / MiB} MiB in ${round(ms, 0)} ms; wrote ${file.pathname}`,
  );

  const { self, total } = selfTimes(profile);
  console.log('self time, top 20:');
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
} finally {
  session.disconnect();
  await server.stop();
  removeBuild(from);
}
