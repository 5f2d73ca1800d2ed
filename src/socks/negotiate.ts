/**
 * Drives a SOCKS handshake state machine over a socket already connected to
 * the proxy: writes its requests, feeds it the proxy's bytes, and hands the
 * socket back paused, with any bytes that followed the final reply pushed
 * back to be read first. Owns the handshake's listeners, its timer and its
 * abort handling, and removes all of them however the handshake ends.
 */

import type { Socket } from 'node:net';
import { debuglog } from 'node:util';
import { abortedError } from '../abort.js';
import { SOCKSError, SOCKSSubdomain } from '../error-codes.js';
import { posixError, type StreamError, socksError, toStreamError } from '../errors.js';
import {
  checkDestination,
  resolveSOCKS4Target,
  type SOCKSDestination,
  type SOCKSLookup,
} from './destination.js';
import { describeProxy, type SOCKSHandshake } from './handshake.js';
import type { SOCKSProxySettings } from './proxy-settings.js';
import { SOCKS4Handshake } from './socks4-handshake.js';
import { SOCKS5Handshake } from './socks5-handshake.js';

const debug = debuglog('cfsocketstream:socks');

/** What {@link negotiateSOCKS} needs besides the socket, the proxy and the destination. */
export interface NegotiateOptions {
  /** Aborting rejects at once (POSIX ECANCELED, or the reason if it is a StreamError). */
  readonly signal: AbortSignal;
  /** Local resolution for SOCKS4 (IPv4 answers are used). */
  readonly lookup: SOCKSLookup;
  /** Bounds the whole handshake, lookup included (POSIX ETIMEDOUT). */
  readonly timeoutMs?: number;
}

/**
 * Runs the SOCKS handshake on `socket`, already connected to the proxy, and
 * resolves once the proxy has granted the CONNECT. Rejects with a
 * StreamError: SOCKS domain for refused or malformed replies, POSIX ENOTCONN
 * when the proxy closes mid-handshake, ETIMEDOUT, ECANCELED, NetDB for a
 * destination that cannot be named. The caller destroys the socket on failure.
 */
export function negotiateSOCKS(
  socket: Socket,
  settings: SOCKSProxySettings,
  destination: SOCKSDestination,
  options: NegotiateOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    new Negotiation(socket, settings, destination, options, resolve, reject).begin();
  });
}

/** One handshake's listeners and timer; settles exactly once and then detaches everything. */
class Negotiation {
  readonly #socket: Socket;
  readonly #settings: SOCKSProxySettings;
  readonly #destination: SOCKSDestination;
  readonly #options: NegotiateOptions;
  readonly #resolve: () => void;
  readonly #reject: (error: StreamError) => void;
  readonly #proxy: string;
  #handshake: SOCKSHandshake | undefined;
  #timer: NodeJS.Timeout | undefined;
  #settled = false;
  #attached = false;

  constructor(
    socket: Socket,
    settings: SOCKSProxySettings,
    destination: SOCKSDestination,
    options: NegotiateOptions,
    resolve: () => void,
    reject: (error: StreamError) => void,
  ) {
    this.#socket = socket;
    this.#settings = settings;
    this.#destination = destination;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#proxy = describeProxy(settings);
  }

  begin(): void {
    const { signal, timeoutMs } = this.#options;
    const refused = this.#refusal();
    if (refused !== undefined) {
      this.#fail(refused);
      return;
    }

    this.#attached = true;
    this.#socket.on('end', this.#onClose);
    this.#socket.on('close', this.#onClose);
    this.#socket.on('error', this.#onError);
    signal.addEventListener('abort', this.#onAbort, { once: true });
    if (timeoutMs !== undefined) this.#timer = setTimeout(this.#onTimeout, timeoutMs);

    if (this.#settings.version === 5) {
      this.#startHandshake(() => new SOCKS5Handshake(this.#settings, this.#destination));
      return;
    }
    resolveSOCKS4Target(this.#destination, this.#options.lookup, this.#proxy).then(
      (target) => {
        if (this.#settled) return;
        debug('%s: SOCKS4%s request', this.#proxy, target.kind === 'name' ? 'a' : '');
        this.#startHandshake(() => new SOCKS4Handshake(this.#settings, target));
      },
      (error: unknown) => this.#fail(toStreamError(error)),
    );
  }

  /** Why the handshake cannot start at all; checked before anything is sent or attached. */
  #refusal(): StreamError | undefined {
    const { version } = this.#settings;
    if (version !== 4 && version !== 5) {
      const message = `SOCKS version ${String(version)} is not 4 or 5`;
      return socksError(SOCKSSubdomain.None, SOCKSError.UnknownClientVersion, message);
    }
    // A name the wire cannot carry is refused, never truncated.
    const invalid = checkDestination(this.#destination, this.#proxy);
    if (invalid !== undefined) return invalid;
    if (this.#options.signal.aborted)
      return abortedError(this.#options.signal, `${this.#proxy}: handshake aborted`);
    if (this.#socket.destroyed) return this.#closedError();
    return undefined;
  }

  #startHandshake(create: () => SOCKSHandshake): void {
    let first: Buffer;
    try {
      this.#handshake = create();
      first = this.#handshake.start();
    } catch (error) {
      this.#fail(toStreamError(error));
      return;
    }
    debug('%s: sending %d bytes', this.#proxy, first.length);
    this.#socket.on('data', this.#onData);
    this.#socket.write(first);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#settled || this.#handshake === undefined) return;
    try {
      const progress = this.#handshake.onData(chunk);
      for (const request of progress.send) this.#socket.write(request);
      if (progress.done) this.#succeed(progress.rest);
    } catch (error) {
      this.#fail(toStreamError(error));
    }
  };

  readonly #onClose = (): void => {
    this.#fail(this.#closedError());
  };

  readonly #onError = (error: Error): void => {
    this.#fail(toStreamError(error));
  };

  readonly #onAbort = (): void => {
    this.#fail(abortedError(this.#options.signal, `${this.#proxy}: handshake aborted`));
  };

  readonly #onTimeout = (): void => {
    this.#timer = undefined;
    this.#fail(
      posixError(
        'ETIMEDOUT',
        `${this.#proxy} did not complete the handshake within ${this.#options.timeoutMs} ms`,
      ),
    );
  };

  #closedError(): StreamError {
    const where =
      this.#handshake === undefined
        ? 'before the handshake'
        : `during the handshake (${describeState(this.#handshake)})`;
    return posixError('ENOTCONN', `${this.#proxy} closed the connection ${where}`);
  }

  #succeed(rest: Buffer): void {
    if (this.#settled) return;
    this.#settled = true;
    // Pause before detaching so that nothing read after the reply is emitted to no one.
    this.#socket.pause();
    this.#detach();
    if (rest.length > 0) this.#socket.unshift(rest);
    debug('%s: CONNECT granted, %d bytes of stream data already read', this.#proxy, rest.length);
    this.#resolve();
  }

  #fail(error: StreamError): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#attached) this.#socket.pause();
    this.#detach();
    debug('%s: handshake failed: %s', this.#proxy, error.message);
    this.#reject(error);
  }

  #detach(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#attached) return;
    this.#attached = false;
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onClose);
    this.#socket.off('close', this.#onClose);
    this.#socket.off('error', this.#onError);
    this.#options.signal.removeEventListener('abort', this.#onAbort);
  }
}

function describeState(handshake: SOCKSHandshake): string {
  return `waiting in state ${handshake.state}`;
}
