/**
 * Creating pairs: to a host and port, to a Bonjour service, or over a socket
 * that is already connected. Creation does no I/O; the first open() of either
 * stream resolves and connects, and the other stream joins that connection.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Host, parseHostName } from '../host/host.js';
import { checkPort } from '../port.js';
import { toDuplex } from './node-adapters.js';
import type { ConnectableService, OpenOptions, PairTarget } from './open-pipeline.js';
import { PairCore } from './pair-core.js';
import { ReadStream } from './read-stream.js';
import { WriteStream } from './write-stream.js';

/** Which streams to create (both by default; CF's creation functions can ask for one) and tunables. */
interface PartsOptions extends OpenOptions {
  readonly readStream?: boolean;
  readonly writeStream?: boolean;
}

// One object for every pair made without options (most are): none is made per pair.
const NO_OPTIONS: PartsOptions = Object.freeze({});

/** A read stream and a write stream over one connection. */
export class StreamPair {
  readonly readStream: ReadStream;
  readonly writeStream: WriteStream;

  /** @internal */
  constructor(readStream: ReadStream, writeStream: WriteStream) {
    this.readStream = readStream;
    this.writeStream = writeStream;
  }

  /** Opens both streams. */
  open(): void {
    this.readStream.open();
    this.writeStream.open();
  }

  /** Closes both streams. */
  close(): void {
    this.readStream.close();
    this.writeStream.close();
  }

  /** Both streams as one Node Duplex (opening them if needed), with backpressure both ways. */
  toDuplex(): Duplex {
    return toDuplex(this.readStream, this.writeStream);
  }
}

/** @internal The checked target of a pair to `host` and `port` (idiomatic and CF creation alike). */
export function hostTarget(host: unknown, port: unknown): PairTarget {
  if (!(host instanceof Host) && typeof host !== 'string') {
    throw new TypeError(
      `host must be a Host or a string, got ${host === null ? 'null' : typeof host}`,
    );
  }
  if (host instanceof Host) return { kind: 'host', host, port: checkPort(port, 'connect') };
  const parsed = parseHostName(host);
  const checked = checkPort(port, 'connect');
  if (typeof parsed === 'string')
    return { kind: 'host', host: Host.withName(parsed), port: checked };
  return { kind: 'address', address: parsed.address, family: parsed.family, port: checked };
}

/** @internal The checked target of a pair to a service. */
export function serviceTarget(service: unknown): PairTarget {
  if (typeof (service as Partial<ConnectableService> | null)?.resolveForConnect !== 'function') {
    throw new TypeError('service must be a NetService');
  }
  return { kind: 'service', service: service as ConnectableService };
}

/** The streams a CF-style creation asked for; either may be null. */
export interface StreamPairParts {
  readonly readStream: ReadStream | null;
  readonly writeStream: WriteStream | null;
}

/** @internal Builds the streams of one pair over `target`. */
export function createParts(
  target: PairTarget,
  options: PartsOptions = NO_OPTIONS,
): StreamPairParts {
  const core = new PairCore(target, options);
  const readStream = options.readStream === false ? null : new ReadStream(core);
  const writeStream = options.writeStream === false ? null : new WriteStream(core);
  if (readStream === null && writeStream === null)
    throw new TypeError('a pair needs at least one stream');
  core.readStream = readStream ?? undefined;
  core.writeStream = writeStream ?? undefined;
  return { readStream, writeStream };
}

function pairOf(parts: StreamPairParts): StreamPair {
  return new StreamPair(parts.readStream as ReadStream, parts.writeStream as WriteStream);
}

/** A pair to `host` (a Host, a name or a literal address) and `port`. */
export function createPairWithSocketToHost(
  host: Host | string,
  port: number,
  options: OpenOptions = NO_OPTIONS,
): StreamPair {
  return pairOf(createParts(hostTarget(host, port), options));
}

/** A pair to a Bonjour service, resolved on the first open(). */
export function createPairWithSocketToNetService(
  service: ConnectableService,
  options: OpenOptions = NO_OPTIONS,
): StreamPair {
  return pairOf(createParts(serviceTarget(service), options));
}

/**
 * A pair over a socket that is already connected (for example one a server
 * accepted). The pair leaves the socket open when closed unless
 * kCFStreamPropertyShouldCloseNativeSocket is set to true.
 */
export function createPairWithSocket(
  socket: Socket,
  options: OpenOptions = NO_OPTIONS,
): StreamPair {
  if (
    typeof (socket as Partial<Socket> | null)?.write !== 'function' ||
    typeof socket.on !== 'function'
  ) {
    throw new TypeError('socket must be a connected net.Socket');
  }
  return pairOf(createParts({ kind: 'socket', socket }, options));
}
