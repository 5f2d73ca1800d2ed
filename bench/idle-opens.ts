/**
 * The two kinds of idle connection the memory part compares (bench/memory-child.ts,
 * bench/memory-census.ts):
 *
 *   raw   net.connect, 'connect' awaited, 'data' and 'error' listeners (a
 *         socket someone would read from).
 *   pair  createPairWithSocketToHost + open(), a client on both streams
 *         (one shared callback, per-pair info), OpenCompleted received on both.
 */
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { StreamEvent } from '../src/constants.js';
import type { StreamPair } from '../src/stream/stream-pair.js';
import type { Library } from './library.js';

/** An idle connection of either kind. */
export type Held = Socket | StreamPair;

const noop = (): void => {};

/** A raw socket to `port` on 127.0.0.1, once connected. */
export async function openIdleRaw(port: number): Promise<Socket> {
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

/** A pair to `port` on 127.0.0.1, once both streams have reported OpenCompleted. */
export function openIdlePair(
  lib: Pick<Library, 'createPairWithSocketToHost'>,
  port: number,
): Promise<StreamPair> {
  return new Promise((resolve, reject) => {
    const pair = lib.createPairWithSocketToHost('127.0.0.1', port);
    const opening: Opening = { pair, opened: 0, resolve, reject };
    pair.readStream.setClient(31, onEvent, opening);
    pair.writeStream.setClient(31, onEvent, opening);
    pair.open();
  });
}

/** Closes every connection. */
export function closeAll(held: readonly Held[]): void {
  for (const h of held) {
    if (h instanceof Socket) h.destroy();
    else h.close();
  }
}

// Connections opened at once (stays under the listen backlog).
const BATCH = 200;

/** `n` connections made by `open`, BATCH at a time. */
export async function openMany(n: number, open: () => Promise<Held>): Promise<Held[]> {
  const held: Held[] = [];
  while (held.length < n) {
    const batch = Math.min(BATCH, n - held.length);
    held.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  return held;
}

/** Loads and compiles every path `open` uses (50 connections), then lets them go. */
export async function warmUp(open: () => Promise<Held>): Promise<void> {
  closeAll(await openMany(50, open));
  await new Promise((resolve) => setTimeout(resolve, 200));
}
