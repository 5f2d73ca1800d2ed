/**
 * Node stream adapters: a pair as a Duplex, a read stream as a Readable, a
 * write stream as a Writable. Backpressure is real both ways: the Readable
 * pulls from the read stream only when Node asks (so a slow consumer pauses
 * the socket), and the Writable holds a write's callback until the write
 * stream can accept bytes again.
 */
import { Duplex, Readable, Writable } from 'node:stream';
import { StreamStatus } from '../constants.js';
import type { ByteSink, ByteSource } from './stream-interfaces.js';

// Node's default (16 KiB) stops the pull after one TLS record; a socket read is up to 64 KiB.
const ADAPTER_HIGH_WATER_MARK = 64 * 1024;

/** Moves bytes from a ByteSource into `push` while the consumer wants more. */
class ReadPump {
  readonly #stream: ByteSource;
  readonly #push: (chunk: Buffer | null) => boolean;
  readonly #fail: (error: Error) => void;
  readonly #unlisten: () => void;
  #wanted = false;
  #done = false;

  constructor(
    stream: ByteSource,
    push: (chunk: Buffer | null) => boolean,
    fail: (error: Error) => void,
  ) {
    this.#stream = stream;
    this.#push = push;
    this.#fail = fail;
    this.#unlisten = stream.listen({ next: () => this.#pump(), complete: () => this.#pump() });
    if (stream.getStatus() === StreamStatus.NotOpen) stream.open();
  }

  /** The consumer wants bytes. */
  want(): void {
    this.#wanted = true;
    this.#pump();
  }

  stop(): void {
    this.#unlisten();
    this.#stream.close();
  }

  #pump(): void {
    if (this.#done) return;
    while (this.#wanted) {
      const chunk = this.#stream.readChunk();
      if (chunk === null) break;
      this.#wanted = this.#push(chunk);
    }
    switch (this.#stream.getStatus()) {
      case StreamStatus.AtEnd:
        this.#done = true;
        this.#push(null);
        break;
      case StreamStatus.Error:
        this.#done = true;
        this.#fail(this.#stream.copyError() ?? new Error('stream error'));
        break;
      case StreamStatus.Closed:
        this.#done = true;
        this.#fail(new Error('the read stream was closed'));
        break;
      default:
        break;
    }
  }
}

/** Hands chunks to a ByteSink, holding the callback while it is full. */
class WritePump {
  readonly #stream: ByteSink;
  readonly #unlisten: () => void;
  #waiting: { chunk: Buffer | undefined; callback: (error?: Error | null) => void } | undefined;

  constructor(stream: ByteSink) {
    this.#stream = stream;
    this.#unlisten = stream.listen({ next: () => this.#retry(), complete: () => this.#retry() });
    if (stream.getStatus() === StreamStatus.NotOpen) stream.open();
  }

  write(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.#waiting = { chunk, callback };
    this.#retry();
  }

  /** Half-closes once every chunk has been handed over. */
  end(callback: (error?: Error | null) => void): void {
    this.#unlisten();
    this.#stream.close();
    callback();
  }

  stop(): void {
    this.#unlisten();
    this.#stream.close();
  }

  #retry(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    switch (this.#stream.getStatus()) {
      case StreamStatus.NotOpen:
      case StreamStatus.Opening:
      case StreamStatus.Reading:
      case StreamStatus.Writing:
        return; // OpenCompleted brings us back
      case StreamStatus.Open:
        if (waiting.chunk !== undefined) {
          const room = this.#stream.writeChunk(waiting.chunk);
          waiting.chunk = undefined;
          if (!room) return; // CanAcceptBytes brings us back
        } else if (!this.#stream.canAcceptBytes()) {
          return;
        }
        this.#waiting = undefined;
        waiting.callback();
        return;
      case StreamStatus.AtEnd:
      case StreamStatus.Closed:
        this.#waiting = undefined;
        waiting.callback(new Error('the write stream is closed'));
        return;
      case StreamStatus.Error:
        this.#waiting = undefined;
        waiting.callback(this.#stream.copyError() ?? new Error('stream error'));
        return;
    }
  }
}

/** A Readable over a read stream (opening it if needed); destroying it closes the stream. */
export function toReadable(stream: ByteSource): Readable {
  let pump: ReadPump;
  const readable = new Readable({
    highWaterMark: ADAPTER_HIGH_WATER_MARK,
    read: () => pump.want(),
    destroy: (error, callback) => {
      pump.stop();
      callback(error);
    },
  });
  pump = new ReadPump(
    stream,
    (chunk) => readable.push(chunk),
    (error) => readable.destroy(error),
  );
  return readable;
}

/** A Writable over a write stream (opening it if needed); ending it half-closes the connection. */
export function toWritable(stream: ByteSink): Writable {
  const pump = new WritePump(stream);
  return new Writable({
    write: (chunk: Buffer, _encoding, callback) => pump.write(chunk, callback),
    final: (callback) => pump.end(callback),
    destroy: (error, callback) => {
      pump.stop();
      callback(error);
    },
  });
}

/** A Duplex over both streams of a pair; `end()` half-closes, the readable side ends at the peer's FIN. */
export function toDuplex(readStream: ByteSource, writeStream: ByteSink): Duplex {
  let reader: ReadPump;
  const writer = new WritePump(writeStream);
  const duplex = new Duplex({
    allowHalfOpen: true,
    readableHighWaterMark: ADAPTER_HIGH_WATER_MARK,
    read: () => reader.want(),
    write: (chunk: Buffer, _encoding, callback) => writer.write(chunk, callback),
    final: (callback) => writer.end(callback),
    destroy: (error, callback) => {
      reader.stop();
      writer.stop();
      callback(error);
    },
  });
  reader = new ReadPump(
    readStream,
    (chunk) => duplex.push(chunk),
    (error) => duplex.destroy(error),
  );
  return duplex;
}
