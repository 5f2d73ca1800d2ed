/**
 * PairCore: what the two streams of a pair share. It holds the properties,
 * runs the open once for both streams (the first open() starts it, the other
 * joins), owns the socket, and tears it down when no stream uses it.
 */
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import {
  kCFStreamPropertyShouldCloseNativeSocket,
  kCFStreamPropertySocketNativeHandle,
  kCFStreamPropertySocketRemoteHost,
  kCFStreamPropertySocketRemoteNetService,
  kCFStreamPropertySSLPeerCertificates,
  kCFStreamSocketSecurityLevelNone,
} from '../constants.js';
import { posixError, type StreamError, toStreamError } from '../errors.js';
import { peerCertificates } from '../tls/index.js';
import { raceConnect } from './connect-race.js';
import {
  directRoute,
  type OpenedConnection,
  type OpenOptions,
  openConnection,
  type PairTarget,
  requestedSecurityLevel,
} from './open-pipeline.js';
import type { ReadStream } from './read-stream.js';
import { attachSocketEvents, detachSocketEvents } from './socket-events.js';
import type { SocketStream } from './socket-stream.js';
import { propertySpec } from './stream-properties.js';
import { upgradeToTLS } from './tls-upgrade.js';
import type { WriteStream } from './write-stream.js';

// How long a torn-down socket may take to flush what was written before it is destroyed.
const LINGER_MS = 10_000;

type Phase = 'idle' | 'opening' | 'open' | 'failed' | 'closed';

// Dictionaries are copied in and out, so a caller's later change cannot reach the pair.
function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Array.isArray(value) ? [...value] : { ...value };
}

/** @internal The connection and properties shared by a pair's streams. */
export class PairCore {
  readonly target: PairTarget;
  readonly #options: OpenOptions;
  // Each property as the caller gave it (copyProperty hands that back) and as checked (for the open).
  // Made on the first setProperty: most pairs never set one.
  #properties: Map<string, { readonly given: unknown; readonly value: unknown }> | undefined;
  readStream: ReadStream | undefined;
  writeStream: WriteStream | undefined;
  #phase: Phase = 'idle';
  #abort: AbortController | undefined;
  // Cancels a direct open (see #open), which needs no AbortController.
  #cancelRace: (() => void) | undefined;
  #failure: StreamError | undefined;
  #connection: OpenedConnection | undefined;
  #readPaused = false;
  #attached: Duplex | undefined;
  // While STARTTLS runs: what the writer hands over waits here, so none of it leaves in clear.
  #upgrade:
    | { pending: Array<{ chunk: Buffer; flushed?: () => void }>; bytes: number; end: boolean }
    | undefined;

  constructor(target: PairTarget, options: OpenOptions = {}) {
    this.target = target;
    this.#options = options;
  }

  /** True once the first open() has started: properties that shape the connection are fixed. */
  get started(): boolean {
    return this.#phase !== 'idle';
  }

  /** @internal A stream of the pair asked to open. */
  requestOpen(stream: SocketStream): void {
    switch (this.#phase) {
      case 'idle':
        this.#phase = 'opening';
        this.#open();
        return;
      case 'opening':
        return; // told when the open finishes
      case 'open':
        stream.connectionReady();
        return;
      case 'failed':
        stream.connectionFailed(this.#failure ?? posixError('ENOTCONN'));
        return;
      case 'closed':
        stream.connectionFailed(posixError('ENOTCONN', 'the pair was already closed'));
        return;
    }
  }

  /**
   * @internal A stream was closed. As in CF, the connection lives until every
   * stream of the pair is closed (or has failed, which already broke it): a
   * stream not opened yet may still join, so it keeps the connection too.
   */
  streamClosed(): void {
    if (this.readStream?.holdsConnection() || this.writeStream?.holdsConnection()) return;
    this.#tearDown();
  }

  /** Sets a shared property; see SocketStream.setProperty. */
  setProperty(key: string, value: unknown): boolean {
    if (typeof key !== 'string') throw new TypeError('property key must be a string');
    const spec = propertySpec(key);
    if (spec === undefined || spec.timing === 'readOnly') return false;
    if (spec.timing === 'beforeOpen' && this.started) return false;
    if (spec.timing === 'upgradesOpen' && this.started)
      return this.#setUpgrading(key, value, spec.normalize);
    if (value === undefined || value === null) {
      this.#properties?.delete(key);
      return true;
    }
    const entry = { given: copyOf(value), value: spec.normalize(value) };
    (this.#properties ??= new Map()).set(key, entry);
    return true;
  }

  /** A security property set on a started pair: STARTTLS when the pair is open and still plain. */
  #setUpgrading(key: string, value: unknown, normalize: (value: unknown) => unknown): boolean {
    const connection = this.#connection;
    const plain = connection !== undefined && connection.stream === connection.socket;
    if (this.#phase !== 'open' || !plain || this.#upgrade !== undefined || value == null)
      return false;
    const properties = (this.#properties ??= new Map());
    const previous = properties.get(key);
    properties.set(key, { given: copyOf(value), value: normalize(value) });
    if (requestedSecurityLevel(this) === kCFStreamSocketSecurityLevelNone) {
      if (previous === undefined) properties.delete(key);
      else properties.set(key, previous);
      return false;
    }
    void this.#startTLS(connection);
    return true;
  }

  /** A property's value; computed ones come from the connection. */
  copyProperty(key: string): unknown {
    switch (key) {
      case kCFStreamPropertySocketNativeHandle: {
        const handle = (
          this.#connection?.socket as unknown as { _handle?: { fd?: number } } | undefined
        )?._handle;
        return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
      }
      case kCFStreamPropertySocketRemoteHost:
        return this.target.kind === 'host' ? this.target.host : undefined;
      case kCFStreamPropertySocketRemoteNetService:
        return this.target.kind === 'service' ? this.target.service : undefined;
      case kCFStreamPropertySSLPeerCertificates: {
        const stream = this.#connection?.stream;
        return stream instanceof TLSSocket ? peerCertificates(stream) : undefined;
      }
      case kCFStreamPropertyShouldCloseNativeSocket:
        return this.property(key);
      default: {
        return copyOf(this.#properties?.get(key)?.given);
      }
    }
  }

  /** @internal The raw property value, for the open pipeline. */
  property(key: string): unknown {
    const entry = this.#properties?.get(key);
    if (entry === undefined && key === kCFStreamPropertyShouldCloseNativeSocket) {
      // CF: a pair made from a socket leaves it open when closed; a pair that made its own closes it.
      return this.target.kind !== 'socket';
    }
    return entry?.value;
  }

  /** @internal Bytes queued on the socket and not yet sent. */
  get writableLength(): number {
    return (this.#upgrade?.bytes ?? 0) + (this.#connection?.stream.writableLength ?? 0);
  }

  /** @internal Queues bytes for sending; `flushed` runs once they have left (or cannot any more). */
  write(chunk: Buffer, flushed?: () => void): void {
    const upgrade = this.#upgrade;
    if (upgrade !== undefined) {
      upgrade.pending.push(flushed === undefined ? { chunk } : { chunk, flushed });
      upgrade.bytes += chunk.length;
      return;
    }
    const connection = this.#connection;
    if (connection === undefined) return;
    connection.stream.write(chunk, flushed);
    // A plain socket with nothing queued took the bytes at once (into the kernel): their
    // memory is free now, not a tick later when Node runs the callback.
    if (
      flushed !== undefined &&
      connection.stream === connection.socket &&
      connection.socket.writableLength === 0
    ) {
      flushed();
    }
  }

  /**
   * @internal The write stream was closed: FIN after the queued bytes, so the
   * reader can go on (half-close). A pair told to leave its socket alone
   * (ShouldCloseNativeSocket false) sends FIN only while its read stream is
   * still in use; closing both streams hands the socket back untouched.
   */
  endWriting(): void {
    if (this.#upgrade !== undefined) {
      this.#upgrade.end = true;
      return;
    }
    const stream = this.#connection?.stream;
    if (stream === undefined || stream.writableEnded) return;
    const leaveAlone = this.property(kCFStreamPropertyShouldCloseNativeSocket) !== true;
    if (leaveAlone && this.readStream?.holdsConnection() !== true) return;
    stream.end();
  }

  /** @internal The read buffer is full: stop taking bytes from the socket. */
  pauseReading(): void {
    if (this.#readPaused) return;
    this.#readPaused = true;
    this.#connection?.stream.pause();
  }

  /** @internal The read buffer has room again. */
  resumeReading(): void {
    if (!this.#readPaused) return;
    this.#readPaused = false;
    this.#connection?.stream.resume();
  }

  /**
   * Opens once for both streams. A target whose addresses are known, with no
   * proxy and no TLS, connects through the address race alone (callbacks, no
   * AbortController, no promise turns): a warm open then costs little more
   * than a raw connect. Everything else runs the whole pipeline.
   */
  #open(): void {
    const route = directRoute(this.target, this);
    if (route === undefined) {
      void this.#openThroughPipeline();
      return;
    }
    this.#cancelRace = raceConnect(
      route.addresses,
      route.port,
      this.#options.attemptDelayMs,
      (error, socket) => {
        this.#cancelRace = undefined;
        if (socket === undefined) this.#openFailed(error);
        else this.#opened({ socket, stream: socket, hostName: route.hostName });
      },
    );
  }

  async #openThroughPipeline(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    let connection: OpenedConnection;
    try {
      connection = await openConnection(this.target, this, abort.signal, this.#options);
    } catch (error) {
      if (abort.signal.aborted) return; // closed while opening: nobody is told
      this.#openFailed(error);
      return;
    }
    if (abort.signal.aborted) {
      connection.stream.destroy();
      connection.socket.destroy();
      return;
    }
    this.#abort = undefined; // nothing left to cancel; a STARTTLS makes its own
    this.#opened(connection);
  }

  #openFailed(error: unknown): void {
    this.#phase = 'failed';
    this.#failure = toStreamError(error);
    this.readStream?.connectionFailed(this.#failure);
    this.writeStream?.connectionFailed(this.#failure);
  }

  #opened(connection: OpenedConnection): void {
    this.#connection = connection;
    this.#phase = 'open';
    this.#attach(connection.stream);
    this.readStream?.connectionReady();
    this.writeStream?.connectionReady();
  }

  async #startTLS(connection: OpenedConnection): Promise<void> {
    const upgrade = {
      pending: [] as Array<{ chunk: Buffer; flushed?: () => void }>,
      bytes: 0,
      end: false,
    };
    this.#upgrade = upgrade;
    this.#detach();
    const abort = new AbortController();
    this.#abort = abort;
    const { signal } = abort;
    let secured: Duplex;
    try {
      secured = await upgradeToTLS(connection.socket, connection.hostName, this, signal, (chunk) =>
        this.readStream?.acceptData(chunk),
      );
    } catch (error) {
      if (signal.aborted) return;
      this.#upgrade = undefined;
      const failure = toStreamError(error);
      this.readStream?.acceptError(failure);
      this.writeStream?.acceptError(failure);
      return;
    }
    if (signal.aborted) {
      secured.destroy();
      return;
    }
    this.#connection = { ...connection, stream: secured };
    this.#upgrade = undefined;
    this.#abort = undefined;
    this.#attach(secured);
    for (const { chunk, flushed } of upgrade.pending) secured.write(chunk, flushed);
    if (upgrade.end) this.endWriting();
    this.writeStream?.acceptDrain();
  }

  #attach(stream: Duplex): void {
    attachSocketEvents(stream, this);
    this.#attached = stream;
    // A handshake (SOCKS) may have left the socket paused with its extra bytes pushed back.
    if (!this.#readPaused) stream.resume();
  }

  #detach(): void {
    if (this.#attached !== undefined) detachSocketEvents(this.#attached);
    this.#attached = undefined;
  }

  #tearDown(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#abort?.abort(posixError('ECANCELED', 'the pair was closed while opening'));
    this.#cancelRace?.();
    this.#detach();
    const connection = this.#connection;
    if (connection === undefined) return;
    if (this.property(kCFStreamPropertyShouldCloseNativeSocket) !== true) return;
    const { stream, socket } = connection;
    // Errors after the streams are closed have nobody to go to; they must not crash the process.
    stream.on('error', () => {});
    socket.on('error', () => {});
    stream.resume();
    if (stream.writableFinished || !stream.writable) {
      stream.destroy();
      socket.destroy();
      return;
    }
    // Let written bytes reach the peer before the socket goes; a peer that never reads gets LINGER_MS.
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    stream.end(() => {
      clearTimeout(linger);
      stream.destroy();
      socket.destroy();
    });
  }
}
