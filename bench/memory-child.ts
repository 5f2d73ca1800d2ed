/**
 * Part 3, the measuring side: run as a child process with --expose-gc, one
 * kind of connection per process (so the two kinds never share a heap or an
 * RSS high-water mark). Opens `count` idle connections to the server child's
 * idle port, forces GC, and sends the memory deltas to the parent.
 *
 *   raw   net.connect, 'connect' awaited, 'data' and 'error' listeners (a
 *         socket someone would read from).
 *   pair  createPairWithSocketToHost + open(), a client on both streams
 *         (one shared callback, per-pair info), OpenCompleted received on both.
 *
 * argv: KIND PORT COUNT LIBRARY (see library.ts)
 */
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { StreamEvent } from '../src/constants.js';
import type { StreamPair } from '../src/stream/stream-pair.js';
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
const BATCH = 200; // connections opened at once (stays under the listen backlog)
const noop = (): void => {};

async function openRaw(): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', noop);
  socket.on('data', noop);
  await once(socket, 'connect');
  return socket;
}

interface Opening {
  readonly pair: StreamPair;
  opened: number;
  // Dropped once the pair is open: the promise and its resolvers are the harness's, and the raw
  // side's harness keeps nothing of its own per socket (its once() promise is gone by then).
  resolve: ((pair: StreamPair) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
}

// One callback for every pair, with the pair's state as CF's clientCallBackInfo. (A closure per
// pair would be fair too, but tsx compiles this file with keepNames, which gives every closure a
// 256-byte property store that the library itself does not have.)
function onEvent(stream: { copyError(): unknown }, type: number, info: unknown): void {
  const opening = info as Opening;
  if (type === StreamEvent.OpenCompleted && ++opening.opened === 2) {
    opening.resolve?.(opening.pair);
    opening.resolve = undefined;
    opening.reject = undefined;
  } else if (type === StreamEvent.ErrorOccurred) opening.reject?.(stream.copyError());
}

function openPair(): Promise<StreamPair> {
  return new Promise((resolve, reject) => {
    const pair = createPairWithSocketToHost('127.0.0.1', port);
    const opening: Opening = { pair, opened: 0, resolve, reject };
    pair.readStream.setClient(31, onEvent, opening);
    pair.writeStream.setClient(31, onEvent, opening);
    pair.open();
  });
}

type Held = Socket | StreamPair;
const open = (): Promise<Held> => (kind === 'raw' ? openRaw() : openPair());
const closeAll = (held: Held[]): void => {
  for (const h of held) {
    if (h instanceof Socket) h.destroy();
    else h.close();
  }
};

async function openMany(n: number): Promise<Held[]> {
  const held: Held[] = [];
  while (held.length < n) {
    const batch = Math.min(BATCH, n - held.length);
    held.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  return held;
}

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 5; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  gc!();
  return process.memoryUsage();
}

// Warm up: load and compile every path this kind uses, then let it go.
const warm = await openMany(50);
closeAll(warm);
await new Promise((resolve) => setTimeout(resolve, 200));

const before = await settle();
const held = await openMany(count);
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
