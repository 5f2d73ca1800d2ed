/**
 * WriteStream: the sending half of a pair. `write()` takes as many bytes as
 * fit under the high-water mark (possibly fewer than offered, 0 when full)
 * and CanAcceptBytes follows when there is room again. Closing it sends FIN
 * while the read stream goes on (half-close).
 */

import type { Writable } from 'node:stream';
import { StreamEvent, type StreamEventType, StreamStatus } from '../constants.js';
import type { StreamError } from '../errors.js';
import { toWritable } from './node-adapters.js';
import { SocketStream } from './socket-stream.js';
import type { ByteSink, PairWriteSide } from './stream-interfaces.js';
import { SLAB_SIZE, WriteCopies } from './write-copies.js';

/**
 * Bytes queued on the socket before write() takes no more: one slab, so a
 * 1 MiB write is taken in one call when nothing is queued (as a raw socket's
 * write() takes it), and a writer waits for CanAcceptBytes once per MiB.
 */
export const WRITE_HIGH_WATER_MARK = SLAB_SIZE;

/** The writable stream of a pair, as CFWriteStream. */
export class WriteStream extends SocketStream implements PairWriteSide, ByteSink {
  #armed = true; // room for bytes signals CanAcceptBytes
  // Made on the first CF-style write: an idle pair, or one written through toWritable(), holds none.
  #copies: WriteCopies | undefined;

  /**
   * Copies up to `length` bytes of `buffer` out for sending and returns how
   * many it took: fewer than offered (0 when full, or while opening) when the
   * buffer is at its high-water mark; -1 when not open or after an error.
   */
  write(buffer: Uint8Array, length: number = buffer?.length): number {
    if (!(buffer instanceof Uint8Array))
      throw new TypeError('write() needs a Uint8Array (or Buffer)');
    if (!Number.isInteger(length) || length < 0 || length > buffer.length) {
      throw new RangeError(`length must be an integer from 0 to buffer.length (${buffer.length})`);
    }
    switch (this.getStatus()) {
      case StreamStatus.NotOpen:
      case StreamStatus.Closed:
      case StreamStatus.Error:
      case StreamStatus.AtEnd:
        return -1;
      case StreamStatus.Opening:
      case StreamStatus.Reading:
      case StreamStatus.Writing:
        this.#armed = true;
        return 0;
      case StreamStatus.Open:
        break;
    }
    const room = WRITE_HIGH_WATER_MARK - this.core.writableLength;
    const taken = Math.min(length, Math.max(room, 0), SLAB_SIZE);
    if (taken > 0) {
      // CF copies: the caller may reuse its buffer as soon as write() returns.
      const { chunk, release } = (this.#copies ??= new WriteCopies()).copy(buffer, taken);
      this.core.write(chunk, release);
    }
    this.#rearm();
    return taken;
  }

  /** @internal Queues a chunk the caller hands over (no copy, no limit); true while there is room. */
  writeChunk(chunk: Buffer): boolean {
    if (this.getStatus() !== StreamStatus.Open) return false;
    this.core.write(chunk);
    this.#armed = true;
    return this.core.writableLength < WRITE_HIGH_WATER_MARK;
  }

  /** This stream as a Node Writable (opening it if needed); ending the Writable half-closes the connection. */
  toWritable(): Writable {
    return toWritable(this);
  }

  /** True when write() would take bytes now (CFWriteStreamCanAcceptBytes). */
  canAcceptBytes(): boolean {
    return (
      this.getStatus() === StreamStatus.Open && this.core.writableLength < WRITE_HIGH_WATER_MARK
    );
  }

  /** @internal The socket flushed its queue. */
  acceptDrain(): void {
    if (this.getStatus() === StreamStatus.Open && this.#armed) {
      this.#armed = false;
      this.signal(StreamEvent.CanAcceptBytes);
    }
  }

  /** @internal The connection broke. */
  acceptError(error: StreamError): void {
    this.fail(error);
  }

  protected override afterOpen(): void {
    this.#rearm();
  }

  protected override releaseSide(): void {
    this.core.endWriting();
  }

  protected override isStale(type: StreamEventType): boolean {
    return type === StreamEvent.CanAcceptBytes && !this.canAcceptBytes();
  }

  #rearm(): void {
    this.#armed = true;
    if (this.core.writableLength < WRITE_HIGH_WATER_MARK) this.acceptDrain();
  }
}
