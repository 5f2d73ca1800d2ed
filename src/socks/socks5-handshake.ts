/**
 * The SOCKS5 client handshake (RFC 1928, with RFC 1929 username/password) as
 * a byte-level state machine: each reply field is one state, so a reply split
 * across any number of segments is read the same as one in a single segment,
 * and each field is judged the moment it arrives (a refusal is reported
 * without waiting for bytes a closing proxy will never send).
 */

import {
  badResponseAddrError,
  badStateError,
  describeProxy,
  type HandshakeProgress,
  methodError,
  type SOCKSHandshake,
  socks5ReplyError,
  userPassError,
  versionCodeError,
  waiting,
} from './handshake.js';
import type { SOCKSProxySettings } from './proxy-settings.js';
import { encodeSOCKS5Connect, encodeSOCKS5Greeting, encodeUserPassRequest } from './requests.js';
import {
  SOCKS5AddressType,
  SOCKS5Method,
  SOCKS5Reply,
  SOCKSVersionByte,
  UserPassStatus,
} from './wire.js';

/** The states of {@link SOCKS5Handshake}: one per reply field, plus the ends. */
export const SOCKS5State = {
  /** Created; `start()` not called yet. */
  Idle: 'idle',
  /** RFC 1928 §3 method selection: VER. */
  MethodVersion: 'method-version',
  /** RFC 1928 §3 method selection: METHOD. */
  Method: 'method',
  /** RFC 1929 §2 status: VER. */
  AuthVersion: 'auth-version',
  /** RFC 1929 §2 status: STATUS. */
  AuthStatus: 'auth-status',
  /** RFC 1928 §6 reply: VER. */
  ReplyVersion: 'reply-version',
  /** RFC 1928 §6 reply: REP. */
  ReplyCode: 'reply-code',
  /** RFC 1928 §6 reply: RSV. */
  ReplyReserved: 'reply-reserved',
  /** RFC 1928 §6 reply: ATYP. */
  ReplyAddressType: 'reply-address-type',
  /** RFC 1928 §5 DOMAINNAME: its length octet. */
  ReplyDomainLength: 'reply-domain-length',
  /** BND.ADDR and BND.PORT, counted down byte by byte. */
  ReplyBound: 'reply-bound',
  /** The CONNECT was granted; later bytes belong to the stream. */
  Connected: 'connected',
  /** A reply was refused; no more input is accepted. */
  Failed: 'failed',
} as const;
/** One of the {@link SOCKS5State} values. */
export type SOCKS5State = (typeof SOCKS5State)[keyof typeof SOCKS5State];

/** The SOCKS5 handshake for one CONNECT to `destination` through the proxy in `settings`. */
export class SOCKS5Handshake implements SOCKSHandshake {
  readonly #settings: SOCKSProxySettings;
  readonly #proxy: string;
  readonly #offered: readonly number[];
  readonly #connectRequest: Buffer;
  #state: SOCKS5State = SOCKS5State.Idle;
  #boundRemaining = 0;

  constructor(
    settings: SOCKSProxySettings,
    destination: { readonly host: string; readonly port: number },
  ) {
    this.#settings = settings;
    this.#proxy = describeProxy(settings);
    // RFC 1928 §3: offer username/password only when there is a user to send.
    this.#offered =
      settings.user === undefined
        ? [SOCKS5Method.NoAuthentication]
        : [SOCKS5Method.NoAuthentication, SOCKS5Method.UsernamePassword];
    this.#connectRequest = encodeSOCKS5Connect(destination.host, destination.port);
  }

  /** The current state, for tests and tracing. */
  get state(): SOCKS5State {
    return this.#state;
  }

  /** The methods offered in the greeting. */
  get offeredMethods(): readonly number[] {
    return this.#offered;
  }

  /** The greeting: VER, NMETHODS, METHODS (RFC 1928 §3). */
  start(): Buffer {
    if (this.#state !== SOCKS5State.Idle)
      throw badStateError(this.#proxy, `start() in state ${this.#state}`);
    this.#state = SOCKS5State.MethodVersion;
    return encodeSOCKS5Greeting(this.#offered);
  }

  /** Consumes proxy bytes; throws a SOCKS- or POSIX-domain StreamError on a reply it cannot accept. */
  onData(chunk: Buffer): HandshakeProgress {
    const send: Buffer[] = [];
    let i = 0;
    try {
      while (i < chunk.length) {
        this.#onByte(chunk[i]!, send);
        i += 1;
        if (this.#state === SOCKS5State.Connected) {
          return { send, done: true, rest: chunk.subarray(i) };
        }
      }
    } catch (error) {
      this.#state = SOCKS5State.Failed;
      throw error;
    }
    return send.length === 0 ? waiting : { send, done: false, rest: waiting.rest };
  }

  #onByte(byte: number, send: Buffer[]): void {
    switch (this.#state) {
      case SOCKS5State.Idle:
        throw badStateError(this.#proxy, 'data before the greeting was sent');
      case SOCKS5State.MethodVersion:
        if (byte !== SOCKSVersionByte.SOCKS5) {
          throw versionCodeError(this.#proxy, 'method selection', SOCKSVersionByte.SOCKS5, byte);
        }
        this.#state = SOCKS5State.Method;
        return;
      case SOCKS5State.Method:
        this.#onMethod(byte, send);
        return;
      case SOCKS5State.AuthVersion:
        // RFC 1929 §2: the status reply carries the subnegotiation version, X'01'.
        if (byte !== SOCKSVersionByte.UserPass) {
          throw versionCodeError(
            this.#proxy,
            'username/password request',
            SOCKSVersionByte.UserPass,
            byte,
          );
        }
        this.#state = SOCKS5State.AuthStatus;
        return;
      case SOCKS5State.AuthStatus:
        // RFC 1929 §2: any status other than X'00' is a failure and the server closes.
        if (byte !== UserPassStatus.Success) throw userPassError(this.#proxy, byte);
        send.push(this.#connectRequest);
        this.#state = SOCKS5State.ReplyVersion;
        return;
      case SOCKS5State.ReplyVersion:
        if (byte !== SOCKSVersionByte.SOCKS5) {
          throw versionCodeError(this.#proxy, 'CONNECT request', SOCKSVersionByte.SOCKS5, byte);
        }
        this.#state = SOCKS5State.ReplyCode;
        return;
      case SOCKS5State.ReplyCode:
        // RFC 1928 §6: a nonzero REP (assigned or not) refuses the CONNECT.
        if (byte !== SOCKS5Reply.Succeeded) throw socks5ReplyError(this.#proxy, byte);
        this.#state = SOCKS5State.ReplyReserved;
        return;
      case SOCKS5State.ReplyReserved:
        // RSV should be X'00'; its value changes nothing, so another one is tolerated.
        this.#state = SOCKS5State.ReplyAddressType;
        return;
      case SOCKS5State.ReplyAddressType:
        this.#onAddressType(byte);
        return;
      case SOCKS5State.ReplyDomainLength:
        this.#expectBound(byte + 2);
        return;
      case SOCKS5State.ReplyBound:
        this.#boundRemaining -= 1;
        if (this.#boundRemaining === 0) this.#state = SOCKS5State.Connected;
        return;
      case SOCKS5State.Connected:
        throw badStateError(this.#proxy, 'data after the CONNECT was granted');
      case SOCKS5State.Failed:
        throw badStateError(this.#proxy, 'data after the handshake failed');
    }
  }

  /** RFC 1928 §3: the server picks one of the offered methods, or X'FF'. */
  #onMethod(method: number, send: Buffer[]): void {
    if (!this.#offered.includes(method)) throw methodError(this.#proxy, method, this.#offered);
    switch (method) {
      case SOCKS5Method.NoAuthentication:
        send.push(this.#connectRequest);
        this.#state = SOCKS5State.ReplyVersion;
        return;
      case SOCKS5Method.UsernamePassword:
        // Offered only with a user (see the constructor); a missing password is sent empty.
        send.push(encodeUserPassRequest(this.#settings.user ?? '', this.#settings.password ?? ''));
        this.#state = SOCKS5State.AuthVersion;
        return;
      default:
        throw badStateError(this.#proxy, `offered method 0x${method.toString(16)} has no handler`);
    }
  }

  /** RFC 1928 §5: the length of BND.ADDR follows from ATYP. */
  #onAddressType(addressType: number): void {
    switch (addressType) {
      case SOCKS5AddressType.IPv4:
        this.#expectBound(4 + 2);
        return;
      case SOCKS5AddressType.IPv6:
        this.#expectBound(16 + 2);
        return;
      case SOCKS5AddressType.DomainName:
        this.#state = SOCKS5State.ReplyDomainLength;
        return;
      default:
        throw badResponseAddrError(this.#proxy, addressType);
    }
  }

  #expectBound(bytes: number): void {
    this.#boundRemaining = bytes;
    this.#state = SOCKS5State.ReplyBound;
  }
}
