/**
 * ReadStream: the receiving half of a pair. Bytes from the socket wait in a
 * bounded buffer until `read()` takes them; when the buffer reaches its
 * high-water mark the socket is paused, so a reader that does not read holds
 * at most that much. HasBytesAvailable is re-armed by read(), as in CF.
 */

import type { Readable } from 'node:stream';
import { StreamEvent, type StreamEventType, StreamStatus } from '../constants.js';
import type { StreamError } from '../errors.js';
import { toReadable } from './node-adapters.js';
import { SocketStream } from './socket-stream.js';
import type { ByteSource, PairReadSide } from './stream-interfaces.js';

/**
 * Bytes buffered before the socket is paused. 1 MiB, so that a 1 MiB read()
 * can be filled in one call, and a fast reader pauses and resumes the socket
 * once per MiB rather than once per 256 KiB (each a readStop/readStart).
 */
export const READ_HIGH_WATER_MARK = 1024 * 1024;
/** Once paused, the socket resumes when the buffer is down to this. */
const READ_RESUME_MARK = READ_HIGH_WATER_MARK / 2;

/** The readable stream of a pair, as CFReadStream. */
export class ReadStream extends SocketStream implements PairReadSide, ByteSource {
  // Made on the first bytes: an idle pair that has received nothing holds no array.
  #chunks: Buffer[] | undefined;
  #offset = 0; // bytes of #chunks[0] already read
  #buffered = 0;
  #armed = true; // the next arrival signals HasBytesAvailable
  // How the data ends once the buffer is read: the peer's FIN (true), or the error that broke the
  // connection, which wins over a FIN (one field: an idle pair's memory, docs/performance.md).
  #ending: StreamError | true | undefined;

  /**
   * Copies up to `maxLength` buffered bytes into `buffer` and returns how many:
   * 0 at end of stream (and, since calls never block, 0 while opening or when
   * nothing is buffered yet: the status tells which), -1 after an error or
   * when the stream is not open.
   */
  read(buffer: Uint8Array, maxLength: number = buffer?.length): number {
    if (!(buffer instanceof Uint8Array))
      throw new TypeError('read() needs a Uint8Array (or Buffer)');
    if (!Number.isInteger(maxLength) || maxLength < 0 || maxLength > buffer.length) {
      throw new RangeError(
        `maxLength must be an integer from 0 to buffer.length (${buffer.length})`,
      );
    }
    switch (this.getStatus()) {
      case StreamStatus.NotOpen:
      case StreamStatus.Closed:
      case StreamStatus.Error:
        return -1;
      case StreamStatus.Opening:
      case StreamStatus.AtEnd:
      case StreamStatus.Reading:
      case StreamStatus.Writing:
        return 0;
      case StreamStatus.Open:
        break;
    }
    let copied = 0;
    const chunks = this.#chunks;
    while (copied < maxLength && chunks !== undefined && chunks.length > 0) {
      const chunk = chunks[0]!;
      const n = Math.min(maxLength - copied, chunk.length - this.#offset);
      chunk.copy(buffer, copied, this.#offset, this.#offset + n);
      copied += n;
      this.#consumed(n);
    }
    this.#afterTake();
    return copied;
  }

  /** @internal Takes up to `maxLength` buffered bytes without copying (the Node adapters). */
  readChunk(maxLength = Number.POSITIVE_INFINITY): Buffer | null {
    const chunk = this.#chunks?.[0];
    if (this.getStatus() !== StreamStatus.Open || chunk === undefined) return null;
    const end = Math.min(chunk.length, this.#offset + maxLength);
    const slice =
      this.#offset === 0 && end === chunk.length ? chunk : chunk.subarray(this.#offset, end);
    this.#consumed(slice.length);
    this.#afterTake();
    return slice;
  }

  /** True when read() would return bytes now (CFReadStreamHasBytesAvailable). */
  hasBytesAvailable(): boolean {
    return this.getStatus() === StreamStatus.Open && this.#buffered > 0;
  }

  /** Bytes waiting to be read. */
  get bufferedLength(): number {
    return this.#buffered;
  }

  /** Reads with `for await`: each step yields the next chunk, with backpressure. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    yield* toReadable(this);
  }

  /** This stream as a Node Readable (opening it if needed); destroying the Readable closes the stream. */
  toReadable(): Readable {
    return toReadable(this);
  }

  /** @internal Bytes from the socket. */
  acceptData(chunk: Buffer): void {
    const status = this.getStatus();
    if (status === StreamStatus.Closed || status === StreamStatus.Error) return;
    (this.#chunks ??= []).push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= READ_HIGH_WATER_MARK) this.core.pauseReading();
    if (this.getStatus() === StreamStatus.Open && this.#armed) {
      this.#armed = false;
      this.signal(StreamEvent.HasBytesAvailable);
    }
  }

  /** @internal The peer closed its side (FIN): end once the buffer is read. */
  acceptEnd(): void {
    this.#ending ??= true;
    this.#settleIfDrained();
  }

  /** @internal The connection broke: report it once every byte received before it was read. */
  acceptError(error: StreamError): void {
    if (this.#ending === undefined || this.#ending === true) this.#ending = error;
    this.#settleIfDrained();
  }

  protected override afterOpen(): void {
    if (this.#buffered > 0) {
      this.#armed = false;
      this.signal(StreamEvent.HasBytesAvailable);
    } else {
      this.#settleIfDrained();
    }
  }

  protected override releaseSide(): void {
    this.#chunks = undefined;
    this.#offset = 0;
    this.#buffered = 0;
    this.core.resumeReading();
  }

  protected override isStale(type: StreamEventType): boolean {
    // A read() may have drained the buffer between the signal and its delivery.
    return type === StreamEvent.HasBytesAvailable && this.#buffered === 0;
  }

  #consumed(n: number): void {
    this.#buffered -= n;
    this.#offset += n;
    const chunks = this.#chunks!;
    if (this.#offset === chunks[0]!.length) {
      chunks.shift();
      this.#offset = 0;
    }
  }

  #afterTake(): void {
    if (this.#buffered > 0) {
      this.#armed = false;
      this.signal(StreamEvent.HasBytesAvailable);
    } else {
      this.#armed = true;
      this.#settleIfDrained();
    }
    // Hysteresis: resuming as soon as the buffer dips below the mark would pause and resume
    // the socket for every chunk (every 16 KiB record under TLS).
    if (this.#buffered <= READ_RESUME_MARK) this.core.resumeReading();
  }

  #settleIfDrained(): void {
    if (this.getStatus() !== StreamStatus.Open || this.#buffered > 0) return;
    const ending = this.#ending;
    if (ending !== undefined && ending !== true) {
      this.fail(ending);
    } else if (ending === true && this.moveTo(StreamStatus.AtEnd)) {
      this.signal(StreamEvent.EndEncountered);
    }
  }
}
