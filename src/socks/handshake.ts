/**
 * What the SOCKS4 and SOCKS5 state machines share: the socket-free interface
 * negotiate.ts drives, and the errors both report, encoded as CF encodes them
 * (`(subdomain << 16) | code` in the SOCKS domain, docs/guide/socks.md). Messages name the proxy
 * and the meaning of the code; they never carry a user name or password.
 */
import { SOCKSError, SOCKSSubdomain } from '../error-codes.js';
import { type StreamError, socksError } from '../errors.js';
import type { SOCKSProxySettings } from './proxy-settings.js';
import {
  describeSOCKS4Status,
  describeSOCKS5Method,
  describeSOCKS5Reply,
  describeUserPassStatus,
} from './wire.js';

/** What the proxy's bytes led to: requests to send now, and whether the CONNECT was granted. */
export interface HandshakeProgress {
  /** Requests to write to the proxy, in order. */
  readonly send: readonly Buffer[];
  /** True once the proxy has granted the CONNECT; no more input is accepted. */
  readonly done: boolean;
  /** Bytes the proxy sent after its final reply: the first bytes of the stream. */
  readonly rest: Buffer;
}

/**
 * A client handshake as a byte-level state machine: it never touches a
 * socket, so replies split anywhere (even one byte per call) and golden byte
 * arrays drive it the same way. `onData` throws a StreamError on a reply it
 * cannot accept and stays failed afterwards.
 */
export interface SOCKSHandshake {
  /** The current state's name, for messages and tracing. */
  readonly state: string;
  /** The first request, sent as soon as the socket is connected. */
  start(): Buffer;
  /** Consumes bytes from the proxy. */
  onData(chunk: Buffer): HandshakeProgress;
}

/** An empty progress step: waiting for more bytes. */
export const waiting: HandshakeProgress = Object.freeze({
  send: Object.freeze([]),
  done: false,
  rest: Buffer.alloc(0),
});

/** "SOCKS5 proxy 127.0.0.1:1080" (IPv6 hosts in brackets) for messages. */
export function describeProxy(
  settings: Pick<SOCKSProxySettings, 'host' | 'port' | 'version'>,
): string {
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return `SOCKS${settings.version} proxy ${host}:${settings.port}`;
}

/** Subdomain VersionCode: the code is the version byte the proxy answered with. */
export function versionCodeError(
  proxy: string,
  reply: string,
  expected: number,
  got: number,
): StreamError {
  return socksError(
    SOCKSSubdomain.VersionCode,
    got,
    `${proxy} answered the ${reply} with version ${got}, expected ${expected}`,
  );
}

/** Subdomain SOCKS5Method: the proxy chose a method this client cannot use (0xFF: none acceptable). */
export function methodError(
  proxy: string,
  method: number,
  offered: readonly number[],
): StreamError {
  const why =
    method === 0xff
      ? 'accepts none of the authentication methods offered'
      : `chose ${describeSOCKS5Method(method)} (0x${method.toString(16).padStart(2, '0')}), which was not offered`;
  const offers = offered.map(describeSOCKS5Method).join(', ');
  return socksError(SOCKSSubdomain.SOCKS5Method, method, `${proxy} ${why} (offered: ${offers})`);
}

/** Subdomain SOCKS5UserPass: the RFC 1929 status of a failed authentication. */
export function userPassError(proxy: string, status: number): StreamError {
  return socksError(
    SOCKSSubdomain.SOCKS5UserPass,
    status,
    `${proxy} refused the user name and password: ${describeUserPassStatus(status)}`,
  );
}

/** Subdomain SOCKS5Response: the RFC 1928 §6 reply code of a refused CONNECT. */
export function socks5ReplyError(proxy: string, reply: number): StreamError {
  return socksError(
    SOCKSSubdomain.SOCKS5Response,
    reply,
    `${proxy} refused the CONNECT: ${describeSOCKS5Reply(reply)} (reply ${reply})`,
  );
}

/** Subdomain SOCKS4Response: the status byte of a refused SOCKS4 CONNECT. */
export function socks4StatusError(proxy: string, status: number): StreamError {
  return socksError(
    SOCKSSubdomain.SOCKS4Response,
    status,
    `${proxy} refused the CONNECT: ${describeSOCKS4Status(status)} (status ${status})`,
  );
}

/** Subdomain None, BadResponseAddr: the reply's address type is unknown (RFC 1928 §5). */
export function badResponseAddrError(proxy: string, addressType: number): StreamError {
  return socksError(
    SOCKSSubdomain.None,
    SOCKSError.BadResponseAddr,
    `${proxy} replied with unknown address type 0x${addressType.toString(16).padStart(2, '0')}`,
  );
}

/** Subdomain None, BadState: input the state machine cannot be in a position to take. */
export function badStateError(proxy: string, what: string): StreamError {
  return socksError(
    SOCKSSubdomain.None,
    SOCKSError.BadState,
    `${proxy}: handshake in a bad state (${what})`,
  );
}
