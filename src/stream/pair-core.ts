/**
 * PairCore: what the two streams of a pair share. It holds the properties,
 * runs the open once for both streams (the first open() starts it, the other
 * joins), owns the socket, and tears it down when no stream uses it. Its
 * state (idle, opening, open, upgrading for STARTTLS, failed, closed) changes
 * only through #moveTo and the table in pair-state.ts. It knows its streams
 * only as the sides of stream-interfaces.ts.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  kCFStreamPropertyShouldCloseNativeSocket,
  kCFStreamPropertySocketNativeHandle,
  kCFStreamPropertySocketRemoteHost,
  kCFStreamPropertySocketRemoteNetService,
  kCFStreamPropertySSLPeerCertificates,
  kCFStreamSocketSecurityLevelNone,
} from '../constants.js';
import { posixError, type StreamError, toStreamError } from '../errors.js';
import { Host } from '../host/host.js';
import { peerCertificates } from '../tls/index.js';
import { nodeTls } from '../tls/node-tls.js';
import { raceConnect } from './connect-race.js';
import {
  directRoute,
  type OpenedConnection,
  type OpenOptions,
  openConnection,
  type PairTarget,
  requestedSecurityLevel,
} from './open-pipeline.js';
import { allowsMove, CLOSED, connectionOf, IDLE, OPENING, type PairState } from './pair-state.js';
import { attachSocketEvents, detachSocketEvents } from './socket-events.js';
import { StartTLS, upgradeToTLS } from './starttls.js';
import type {
  PairLink,
  PairReadSide,
  PairSide,
  PairWriteSide,
  WriteDone,
} from './stream-interfaces.js';
import { propertySpec } from './stream-properties.js';

// How long a torn-down socket may take to flush what was written before it is destroyed.
const LINGER_MS = 10_000;

function ignoreError(): void {}

// Dictionaries are copied in and out, so a caller's later change cannot reach the pair.
function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Array.isArray(value) ? [...value] : { ...value };
}

/** @internal The connection and properties shared by a pair's streams. */
export class PairCore implements PairLink {
  readonly target: PairTarget;
  readonly #options: OpenOptions;
  // Each property as the caller gave it (copyProperty hands that back) and as checked (for the open).
  // Made on the first setProperty: most pairs never set one.
  #properties: Map<string, { readonly given: unknown; readonly value: unknown }> | undefined;
  readStream: PairReadSide | undefined;
  writeStream: PairWriteSide | undefined;
  #state: PairState = IDLE;
  // Cancels the open under way: the pipeline's AbortController, or a direct open's race (see #open).
  #cancelOpen: AbortController | (() => void) | undefined;
  #readPaused = false;

  constructor(target: PairTarget, options: OpenOptions = {}) {
    this.target = target;
    this.#options = options;
  }

  /** True once the first open() has started: properties that shape the connection are fixed. */
  get started(): boolean {
    return this.#state.kind !== 'idle';
  }

  /** @internal A stream of the pair asked to open. */
  requestOpen(side: PairSide): void {
    const state = this.#state;
    switch (state.kind) {
      case 'idle':
        this.#moveTo(OPENING);
        this.#open();
        return;
      case 'opening':
        return; // told when the open finishes
      case 'open':
      case 'upgrading':
        side.connectionReady();
        return;
      case 'failed':
        side.connectionFailed(state.failure);
        return;
      case 'closed':
        side.connectionFailed(posixError('ENOTCONN', 'the pair was already closed'));
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
    const state = this.#state;
    if (state.kind !== 'open' || value == null) return false;
    const connection: OpenedConnection = state;
    if (connection.stream !== connection.socket) return false; // already secured
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
          connectionOf(this.#state)?.socket as unknown as { _handle?: { fd?: number } } | undefined
        )?._handle;
        return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
      }
      case kCFStreamPropertySocketRemoteHost:
        return this.#remoteHost();
      case kCFStreamPropertySocketRemoteNetService:
        return this.target.kind === 'service' ? this.target.service : undefined;
      case kCFStreamPropertySSLPeerCertificates: {
        const stream = connectionOf(this.#state)?.stream;
        return stream instanceof nodeTls().TLSSocket ? peerCertificates(stream) : undefined;
      }
      case kCFStreamPropertyShouldCloseNativeSocket:
        return this.property(key);
      default: {
        return copyOf(this.#properties?.get(key)?.given);
      }
    }
  }

  // A pair to a literal address keeps no Host: a copy asks for one, made then (CF copies too).
  #remoteHost(): Host | undefined {
    const { target } = this;
    if (target.kind === 'host') return target.host;
    return target.kind === 'address' ? Host.withAddress(target.address) : undefined;
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
    const state = this.#state;
    if (state.kind === 'upgrading')
      return state.upgrade.bytes + state.connection.stream.writableLength;
    return state.kind === 'open' ? state.stream.writableLength : 0;
  }

  /** @internal Queues bytes for sending; `done` runs once they have left, or with the error that stopped them. */
  write(chunk: Buffer, done?: WriteDone): void {
    const state = this.#state;
    switch (state.kind) {
      case 'upgrading':
        state.upgrade.queue(chunk, done);
        return;
      case 'open':
        break;
      case 'failed':
        done?.(state.failure);
        return;
      case 'idle':
      case 'opening':
      case 'closed':
        done?.(posixError('ENOTCONN', 'the pair is not open'));
        return;
    }
    const { stream, socket } = state;
    stream.write(chunk, done);
    // A plain socket with nothing queued took the bytes at once (into the kernel): their
    // memory is free now, not a tick later when Node runs the callback.
    if (done !== undefined && stream === socket && socket.writableLength === 0) done();
  }

  /**
   * @internal The write stream was closed: FIN after the queued bytes, so the
   * reader can go on (half-close). A pair told to leave its socket alone
   * (ShouldCloseNativeSocket false) sends FIN only while its read stream is
   * still in use; closing both streams hands the socket back untouched.
   */
  endWriting(): void {
    const state = this.#state;
    if (state.kind === 'upgrading') {
      state.upgrade.requestEnd();
      return;
    }
    if (state.kind !== 'open') return;
    const { stream } = state;
    if (stream.writableEnded) return;
    const leaveAlone = this.property(kCFStreamPropertyShouldCloseNativeSocket) !== true;
    if (this.readStream?.holdsConnection() === true) stream.end();
    // Nobody reads either: the connection goes now (after flushing what is queued). An end()
    // first would only add a shutdown request that the teardown's close(2) makes needless.
    else if (!leaveAlone) this.#tearDown();
  }

  /** @internal The read buffer is full: stop taking bytes from the socket. */
  pauseReading(): void {
    if (this.#readPaused) return;
    this.#readPaused = true;
    // While upgrading, the socket is the handshake's; #attach applies the flag afterwards.
    if (this.#state.kind === 'open') this.#state.stream.pause();
  }

  /** @internal The read buffer has room again. */
  resumeReading(): void {
    if (!this.#readPaused) return;
    this.#readPaused = false;
    if (this.#state.kind === 'open') this.#state.stream.resume();
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
    this.#cancelOpen = raceConnect(
      route.addresses,
      route.port,
      this.#options.attemptDelayMs,
      (error, socket) => {
        this.#cancelOpen = undefined;
        if (socket !== undefined) this.#opened(socket, socket, route.hostName);
        // A service's cached resolution may be stale: the pipeline resolves it again (service-reconnect.ts).
        else if (this.target.kind === 'service' && route.hostName !== undefined)
          void this.#openThroughPipeline({ route: { ...route, hostName: route.hostName }, error });
        else this.#openFailed(error);
      },
    );
  }

  async #openThroughPipeline(failed?: OpenOptions['failed']): Promise<void> {
    const abort = new AbortController();
    this.#cancelOpen = abort;
    let connection: OpenedConnection;
    try {
      const options = failed === undefined ? this.#options : { ...this.#options, failed };
      connection = await openConnection(this.target, this, abort.signal, options);
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
    this.#cancelOpen = undefined; // nothing left to cancel; a STARTTLS makes its own
    this.#opened(connection.socket, connection.stream, connection.hostName);
  }

  #openFailed(error: unknown): void {
    const failure = toStreamError(error);
    if (!this.#moveTo({ kind: 'failed', failure, connection: undefined })) return;
    this.readStream?.connectionFailed(failure);
    this.writeStream?.connectionFailed(failure);
  }

  #opened(socket: Socket, stream: Duplex, hostName: string | undefined): void {
    if (!this.#moveTo({ kind: 'open', socket, stream, hostName })) {
      stream.destroy(); // closed meanwhile: nobody will use it
      socket.destroy();
      return;
    }
    this.#attach(stream);
    this.readStream?.connectionReady();
    this.writeStream?.connectionReady();
  }

  /** open -> upgrading -> open (secured) or failed; writes made meanwhile wait in the StartTLS state. */
  async #startTLS(connection: OpenedConnection): Promise<void> {
    const upgrade = new StartTLS();
    if (!this.#moveTo({ kind: 'upgrading', connection, upgrade })) return;
    // The handshake owns the socket now: its events no longer reach the streams.
    detachSocketEvents(connection.stream);
    const { signal } = upgrade.abort;
    let secured: Duplex;
    try {
      secured = await upgradeToTLS(connection.socket, connection.hostName, this, signal, (chunk) =>
        this.readStream?.acceptData(chunk),
      );
    } catch (error) {
      if (signal.aborted) return; // closed meanwhile: #tearDown failed the waiting writes
      const failure = toStreamError(error);
      this.#moveTo({ kind: 'failed', failure, connection });
      upgrade.fail(failure);
      this.readStream?.acceptError(failure);
      this.writeStream?.acceptError(failure);
      return;
    }
    if (signal.aborted) {
      secured.destroy();
      return;
    }
    const { socket, hostName } = connection;
    this.#moveTo({ kind: 'open', socket, stream: secured, hostName });
    this.#attach(secured);
    upgrade.flushInto(secured);
    if (upgrade.endRequested) this.endWriting();
    this.writeStream?.acceptDrain();
  }

  /** The one place the state changes; false (nothing changes) for a move the table does not have. */
  #moveTo(next: PairState): boolean {
    if (!allowsMove(this.#state.kind, next.kind)) return false;
    this.#state = next;
    return true;
  }

  // The stream attached to is the open state's (only an open pair's streams get socket events).
  #attach(stream: Duplex): void {
    attachSocketEvents(stream, this);
    // A handshake (SOCKS) may have left the socket paused with its extra bytes pushed back;
    // a fresh TLS stream starts flowing with its 'data' listener, so a full reader pauses it.
    if (this.#readPaused) stream.pause();
    else stream.resume();
  }

  /**
   * The last stream is closed: cancel what is under way and close the socket
   * (unless it is to be left alone). Bytes a write accepted are never
   * dropped: what still waits in Node's buffer is flushed first.
   */
  #tearDown(): void {
    const previous = this.#state;
    if (!this.#moveTo(CLOSED)) return;
    // Made only when an open or STARTTLS is still in progress: an error captures a stack, which
    // cost a closed open pair more than anything else it did (docs/performance.md, warm opens).
    let cancelled: StreamError | undefined;
    const reason = (): StreamError =>
      (cancelled ??= posixError('ECANCELED', 'the pair was closed while opening'));
    const cancel = this.#cancelOpen;
    this.#cancelOpen = undefined;
    if (typeof cancel === 'function') cancel();
    else cancel?.abort(reason());
    if (previous.kind === 'upgrading') {
      previous.upgrade.abort.abort(reason());
      previous.upgrade.fail(posixError('ECANCELED', 'the pair was closed during STARTTLS'));
    }
    if (previous.kind === 'open') detachSocketEvents(previous.stream);
    const connection = connectionOf(previous);
    if (connection === undefined) return;
    if (this.property(kCFStreamPropertyShouldCloseNativeSocket) !== true) return;
    const { stream, socket } = connection;
    // Errors after the streams are closed have nobody to go to; they must not crash the process.
    // A plain socket destroyed without an error emits none: it needs no listener for them (a TLS
    // stream's teardown may still fail the socket under it). A plain socket with nothing left in
    // Node's buffer goes at once: the kernel sends what it holds, then the FIN (close(2)), with
    // no shutdown request first. TLS ends with its close_notify unless it has finished already.
    const destroyNow =
      stream.destroyed ||
      stream.writableFinished ||
      (stream === socket && stream.writableLength === 0);
    if (!destroyNow || stream !== socket) {
      stream.on('error', ignoreError);
      socket.on('error', ignoreError);
    }
    if (destroyNow) {
      stream.destroy();
      socket.destroy();
      return;
    }
    stream.resume();
    // Let written bytes reach the peer before the socket goes; a peer that never reads gets LINGER_MS.
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    // end() again on a stream already ending only waits for its 'finish'.
    stream.end(() => {
      clearTimeout(linger);
      stream.destroy();
      socket.destroy();
    });
  }
}
