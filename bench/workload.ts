/**
 * What every throughput client does, whatever API it uses: the three
 * directions, the bytes it sends, and how much it reads per call.
 */
import type { ServerPorts } from './server.js';
import { KiB, MiB } from './stats.js';

/** download: the server sends `size` bytes; upload: the client sends them; echo: both. */
export type Direction = 'download' | 'upload' | 'echo';

/** Which server port each direction talks to. */
export const portFor = (ports: ServerPorts, direction: Direction): number =>
  direction === 'download' ? ports.source : direction === 'upload' ? ports.sink : ports.echo;

/** One client's implementation of a direction; resolves with the bytes the far end confirmed (or that came back). */
export type Transfer = (port: number, size: number) => Promise<number>;

/** The three directions of one API. */
export type Client = Record<Direction, Transfer>;

/** The bytes a client sends: one block (1 MiB by default), offered again and again (never changed, so reuse is safe). */
export let SEND_BLOCK = Buffer.alloc(MiB, 0xa5);

/** The buffer a CF-style client reads into per read() call (64 KiB by default; CF clients use 4–64 KiB). */
export let READ_BUFFER_BYTES = 64 * KiB;

/** Sets the block size of the runs that follow: the send block and the CF read buffer. */
export function useBlockSize(bytes: number): void {
  SEND_BLOCK = Buffer.alloc(bytes, 0xa5);
  READ_BUFFER_BYTES = bytes;
}

/** The blocks that make `size` bytes. */
export function* blocks(size: number): Generator<Buffer> {
  for (let sent = 0; sent < size; sent += SEND_BLOCK.length) {
    yield size - sent >= SEND_BLOCK.length ? SEND_BLOCK : SEND_BLOCK.subarray(0, size - sent);
  }
}

/** The sink server's reply: the byte count it received. */
export function decodeCount(reply: Buffer): number {
  if (reply.length !== 8) throw new Error(`sink replied with ${reply.length} bytes, expected 8`);
  return Number(reply.readBigUInt64BE(0));
}
