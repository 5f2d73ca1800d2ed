import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pairFirstEcho, rawFirstEcho } from './first-echo.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';

const which = process.argv[2] ?? 'address';
const build = buildLibrary();
const lib = await loadLibrary(build);
const server = await startBenchServer(1024);
const port = server.ports.echo;
const open =
  which === 'raw'
    ? () => rawFirstEcho('127.0.0.1', port)
    : () => pairFirstEcho(() => lib.createPairWithSocketToHost('127.0.0.1', port));
for (let i = 0; i < 2000; i++) await open();
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.setSamplingInterval', { interval: 50 });
await s.post('Profiler.start');
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < 5000; i++) await open();
const t = performance.now() - t0;
const c = process.cpuUsage(c0);
const { profile } = await s.post('Profiler.stop');
writeFileSync(`/tmp/x/open-${which}.cpuprofile`, JSON.stringify(profile));
console.log(
  which,
  'wall/open us',
  (t / 5).toFixed(1),
  'cpu/open us',
  ((c.user + c.system) / 5000).toFixed(1),
);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
profile.samples!.forEach((id, i) => {
  const n = byId.get(id)!;
  const k = `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + profile.timeDeltas![i]!);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(
  [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1)}% ${k}`)
    .join('\n'),
);
await server.stop?.();
removeBuild(build);
process.exit(0);
