/**
 * STARTTLS: securing a connection that is already open, the "upgrading" state
 * of the pair (src/stream/pair-state.ts). The order matters: bytes read before
 * the upgrade are plain application data and go to the reader first; bytes
 * written before it must leave in clear before the handshake starts; bytes
 * written during it wait here and leave secured, or fail with the upgrade's
 * error; nothing written after it leaves in clear.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type OpenProperties, secureIfAsked } from './open-pipeline.js';
import type { WriteDone } from './stream-interfaces.js';

/** The upgrading state's own data: the writes that wait for the handshake, and a FIN after them. */
export class StartTLS {
  /** Cancels the handshake when the pair is closed during it. */
  readonly abort = new AbortController();
  #pending: Array<{ readonly chunk: Buffer; readonly done: WriteDone | undefined }> = [];
  #bytes = 0;
  #endRequested = false;

  /** Bytes waiting for the handshake. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when the write stream was closed during the upgrade: FIN follows the waiting writes. */
  get endRequested(): boolean {
    return this.#endRequested;
  }

  /** Holds a write until the handshake is done; none of it may leave in clear. */
  queue(chunk: Buffer, done: WriteDone | undefined): void {
    this.#pending.push({ chunk, done });
    this.#bytes += chunk.length;
  }

  /** The write stream was closed: its FIN waits for the handshake too. */
  requestEnd(): void {
    this.#endRequested = true;
  }

  /** The handshake succeeded: the waiting writes go out on the secured stream, in order. */
  flushInto(secured: Duplex): void {
    for (const { chunk, done } of this.#take()) secured.write(chunk, done);
  }

  /** The upgrade failed (or the pair was closed during it): every waiting write fails with `error`. */
  fail(error: Error): void {
    for (const { done } of this.#take()) done?.(error);
  }

  #take(): Array<{ readonly chunk: Buffer; readonly done: WriteDone | undefined }> {
    const pending = this.#pending;
    this.#pending = [];
    this.#bytes = 0;
    return pending;
  }
}

/** Hands over what was already read, lets earlier writes go, then runs the TLS handshake on `socket`. */
export async function upgradeToTLS(
  socket: Socket,
  hostName: string | undefined,
  properties: OpenProperties,
  signal: AbortSignal,
  onPlainBytes: (chunk: Buffer) => void,
): Promise<Duplex> {
  socket.pause();
  for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) {
    onPlainBytes(chunk);
  }
  // The TLS layer writes to the socket's handle directly: queued plain writes would come after it.
  while (socket.writableLength > 0) {
    await Promise.race([once(socket, 'drain', { signal }), once(socket, 'close', { signal })]);
    if (socket.destroyed) break;
  }
  return secureIfAsked(socket, hostName, properties, signal);
}
