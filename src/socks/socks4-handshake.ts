/**
 * The SOCKS4 and SOCKS4a client handshake as a byte-level state machine. The
 * request names the destination by IPv4 address (SOCKS4) or, when the name
 * could not be resolved here, by name for the proxy to resolve (SOCKS4a).
 * The 8-byte reply is VN, CD, DSTPORT, DSTIP; VN and CD are judged as they
 * arrive, and DSTPORT/DSTIP carry nothing a CONNECT needs.
 */

import {
  badStateError,
  describeProxy,
  type HandshakeProgress,
  type SOCKSHandshake,
  socks4StatusError,
  versionCodeError,
  waiting,
} from './handshake.js';
import type { SOCKSProxySettings } from './proxy-settings.js';
import { encodeSOCKS4aConnect, encodeSOCKS4Connect } from './requests.js';
import { SOCKS4Status, SOCKSVersionByte } from './wire.js';

/** How a SOCKS4 request names its destination. */
export type SOCKS4Target =
  | { readonly kind: 'address'; readonly address: string; readonly port: number }
  | { readonly kind: 'name'; readonly host: string; readonly port: number };

/** The states of {@link SOCKS4Handshake}: one per reply field, plus the ends. */
export const SOCKS4State = {
  /** Created; `start()` not called yet. */
  Idle: 'idle',
  /** Reply VN: the reply-code version, 0. */
  ReplyVersion: 'reply-version',
  /** Reply CD: 90 granted, 91-93 (or anything else) refused. */
  ReplyStatus: 'reply-status',
  /** DSTPORT and DSTIP, counted down byte by byte. */
  ReplyBound: 'reply-bound',
  /** The CONNECT was granted; later bytes belong to the stream. */
  Connected: 'connected',
  /** A reply was refused; no more input is accepted. */
  Failed: 'failed',
} as const;
/** One of the {@link SOCKS4State} values. */
export type SOCKS4State = (typeof SOCKS4State)[keyof typeof SOCKS4State];

/** DSTPORT (2) and DSTIP (4) after VN and CD. */
const BOUND_BYTES = 6;

/** The SOCKS4/4a handshake for one CONNECT to `target` through the proxy in `settings`. */
export class SOCKS4Handshake implements SOCKSHandshake {
  readonly #proxy: string;
  readonly #request: Buffer;
  #state: SOCKS4State = SOCKS4State.Idle;
  #boundRemaining = BOUND_BYTES;

  constructor(settings: SOCKSProxySettings, target: SOCKS4Target) {
    this.#proxy = describeProxy(settings);
    const userId = settings.user ?? '';
    this.#request =
      target.kind === 'address'
        ? encodeSOCKS4Connect(target.address, target.port, userId)
        : encodeSOCKS4aConnect(target.host, target.port, userId);
  }

  /** The current state, for tests and tracing. */
  get state(): SOCKS4State {
    return this.#state;
  }

  /** The CONNECT request: SOCKS4 has no greeting. */
  start(): Buffer {
    if (this.#state !== SOCKS4State.Idle)
      throw badStateError(this.#proxy, `start() in state ${this.#state}`);
    this.#state = SOCKS4State.ReplyVersion;
    return this.#request;
  }

  /** Consumes proxy bytes; throws a SOCKS-domain StreamError on a reply it cannot accept. */
  onData(chunk: Buffer): HandshakeProgress {
    let i = 0;
    try {
      while (i < chunk.length) {
        this.#onByte(chunk[i]!);
        i += 1;
        if (this.#state === SOCKS4State.Connected)
          return { send: [], done: true, rest: chunk.subarray(i) };
      }
    } catch (error) {
      this.#state = SOCKS4State.Failed;
      throw error;
    }
    return waiting;
  }

  #onByte(byte: number): void {
    switch (this.#state) {
      case SOCKS4State.Idle:
        throw badStateError(this.#proxy, 'data before the request was sent');
      case SOCKS4State.ReplyVersion:
        // The SOCKS4 protocol note: "VN is the version of the reply code and should be 0".
        if (byte !== SOCKSVersionByte.SOCKS4Reply) {
          throw versionCodeError(
            this.#proxy,
            'CONNECT request',
            SOCKSVersionByte.SOCKS4Reply,
            byte,
          );
        }
        this.#state = SOCKS4State.ReplyStatus;
        return;
      case SOCKS4State.ReplyStatus:
        if (byte !== SOCKS4Status.Granted) throw socks4StatusError(this.#proxy, byte);
        this.#state = SOCKS4State.ReplyBound;
        return;
      case SOCKS4State.ReplyBound:
        this.#boundRemaining -= 1;
        if (this.#boundRemaining === 0) this.#state = SOCKS4State.Connected;
        return;
      case SOCKS4State.Connected:
        throw badStateError(this.#proxy, 'data after the CONNECT was granted');
      case SOCKS4State.Failed:
        throw badStateError(this.#proxy, 'data after the handshake failed');
    }
  }
}
