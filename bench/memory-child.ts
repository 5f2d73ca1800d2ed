/**
 * Part 3, the measuring side: run as a child process with --expose-gc, one
 * kind of connection per process (so the two kinds never share a heap or an
 * RSS high-water mark). Opens `count` idle connections to the server child's
 * idle port, forces GC, and sends the memory deltas to the parent.
 *
 * The two kinds are described in bench/idle-opens.ts.
 *
 * argv: KIND PORT COUNT LIBRARY (see library.ts)
 */
import { closeAll, type Held, openIdlePair, openIdleRaw, openMany, warmUp } from './idle-opens.js';
import { loadLibrary } from './library.js';

export type MemoryKind = 'raw' | 'pair';

/** What the child reports: totals over `count` connections, in bytes. */
export interface MemorySample {
  readonly kind: MemoryKind;
  readonly count: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
}

const [kind, portText, countText, from] = process.argv.slice(2) as [
  MemoryKind,
  string,
  string,
  string,
];
const { createPairWithSocketToHost } = await loadLibrary(from);
const port = Number(portText);
const count = Number(countText);
const gc = globalThis.gc;
if (gc === undefined) throw new Error('memory-child needs node --expose-gc');
const open = (): Promise<Held> =>
  kind === 'raw' ? openIdleRaw(port) : openIdlePair({ createPairWithSocketToHost }, port);

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 5; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  gc!();
  return process.memoryUsage();
}

await warmUp(open);

const before = await settle();
const held = await openMany(count, open);
const after = await settle();
if (held.length !== count) throw new Error(`opened ${held.length} of ${count}`);

const sample: MemorySample = {
  kind,
  count,
  heapUsed: after.heapUsed - before.heapUsed,
  external: after.external - before.external,
  arrayBuffers: after.arrayBuffers - before.arrayBuffers,
  rss: after.rss - before.rss,
};
process.send?.(sample, () => {
  closeAll(held);
  process.exit(0);
});
