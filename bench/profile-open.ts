/**
 * Where the time goes in a warm open: runs N warm opens of one path
 * (raw, address or service, as bench/warm-open.ts) under the V8 CPU profiler
 * and prints the functions with the most self time, grouped by where they live.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/profile-open.ts address [N] [--source]
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { type Profile, selfTimes } from './cpu-profile.js';
import { pairFirstEcho, rawFirstEcho } from './first-echo.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';

const [path = 'address', countText = '5000'] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'));
const count = Number(countText);
const from = process.argv.includes('--source') ? 'source' : buildLibrary();
const lib = await loadLibrary(from);
const server = await startBenchServer(1024);
const port = server.ports.echo;
const published = new lib.NetService('local.', '_profopen._tcp', 'Profile Open', port);
await published.publish();
const service = new lib.NetService('local.', '_profopen._tcp', published.name);
await service.resolveForConnect(new AbortController().signal);
const opens: Record<string, () => Promise<number>> = {
  raw: () => rawFirstEcho('127.0.0.1', port),
  address: () => pairFirstEcho(() => lib.createPairWithSocketToHost('127.0.0.1', port)),
  service: () => pairFirstEcho(() => lib.createPairWithSocketToNetService(service)),
};
const open = opens[path];
if (open === undefined) throw new Error(`path must be raw, address or service, not ${path}`);
const session = new Session();
try {
  for (let i = 0; i < 1000; i++) await open();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await session.post('Profiler.start');
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await open());
  const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const file = new URL(`./results/profile-open-${path}.cpuprofile`, import.meta.url);
  await writeFile(file, JSON.stringify(profile));
  console.log(
    `${path}: ${count} opens, median ${(times[count >> 1]! * 1000).toFixed(1)} µs to echo; ` +
      `wall ${((wall * 1000) / count).toFixed(1)} µs, CPU ${((cpu.user + cpu.system) / count).toFixed(1)} µs per open`,
  );
  const { self, total } = selfTimes(profile);
  // The library's own functions: the build lives in a cfsocketstream-bench folder, or src with --source.
  let ours = 0;
  for (const [key, us] of self) if (/ (cfsocketstream-bench\/\d+|src)\//.test(key)) ours += us;
  console.log(
    `the library's own functions: ${(ours / count).toFixed(1)} µs self time per open (${((100 * ours) / total).toFixed(1)}% of the samples)`,
  );
  console.log('self time per open, top 70:');
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 70)) {
    console.log(
      `${(us / count).toFixed(2).padStart(7)} µs ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
} finally {
  session.disconnect();
  await published.stop();
  lib.resetMdnsEngine();
  await server.stop();
  if (from !== 'source') removeBuild(from);
}
