/**
 * The interfaces the rooms of a pair talk through, in a file of their own so
 * that the import arrows point one way: PairCore and the socket events know
 * a stream only as a side of the pair, a stream knows its connection only as
 * a link, and the Node adapters know a stream only as a byte source or sink.
 * The classes implement these; nobody here imports a class.
 */
import type { StreamStatus } from '../constants.js';
import type { StreamError } from '../errors.js';

/** Runs once a written chunk has left (no error) or never will (the error that stopped it). */
export type WriteDone = (error?: Error | null) => void;

/** What the pair's connection tells either stream. */
export interface PairSide {
  /** The pair has connected: an Opening stream becomes Open. */
  connectionReady(): void;
  /** The pair could not connect. */
  connectionFailed(error: StreamError): void;
  /** The connection broke after it was open. */
  acceptError(error: StreamError): void;
  /** True until the stream is closed or has failed: it may still use the connection. */
  holdsConnection(): boolean;
}

/** What the connection tells the read stream, besides the common part. */
export interface PairReadSide extends PairSide {
  /** Bytes from the peer. */
  acceptData(chunk: Buffer): void;
  /** The peer closed its side (FIN). */
  acceptEnd(): void;
}

/** What the connection tells the write stream, besides the common part. */
export interface PairWriteSide extends PairSide {
  /** The socket flushed its queue. */
  acceptDrain(): void;
}

/** What a stream asks of the connection its pair shares (implemented by PairCore). */
export interface PairLink {
  /** A stream asked to open; it is told through connectionReady or connectionFailed. */
  requestOpen(side: PairSide): void;
  /** A stream was closed. */
  streamClosed(): void;
  /** Sets a property shared by the pair (see SocketStream.setProperty). */
  setProperty(key: string, value: unknown): boolean;
  /** A property's value. */
  copyProperty(key: string): unknown;
  /** Bytes queued and not yet sent. */
  readonly writableLength: number;
  /** Queues bytes for sending; `done` runs once they have left or cannot any more. */
  write(chunk: Buffer, done?: WriteDone): void;
  /** The write stream was closed: FIN after the queued bytes. */
  endWriting(): void;
  /** The read buffer is full: stop taking bytes from the socket. */
  pauseReading(): void;
  /** The read buffer has room again. */
  resumeReading(): void;
}

/** An internal listener of a stream's events (the Node adapters only need to be woken). */
export interface StreamWatcher {
  next(event: unknown): void;
  complete(): void;
}

/** What the Node adapters need of any stream. */
interface AdaptedStream {
  getStatus(): StreamStatus;
  open(): boolean;
  close(): void;
  copyError(): StreamError | null;
  /** Adds a watcher; returns its removal. */
  listen(watcher: StreamWatcher): () => void;
}

/** A read stream, as the Node adapters see it. */
export interface ByteSource extends AdaptedStream {
  /** Takes buffered bytes without copying; null when there are none. */
  readChunk(): Buffer | null;
}

/** A write stream, as the Node adapters see it. */
export interface ByteSink extends AdaptedStream {
  /** Queues a chunk (no copy, no limit); true while there is room for more. */
  writeChunk(chunk: Buffer): boolean;
  /** True when a write would be taken now. */
  canAcceptBytes(): boolean;
}
