/**
 * The destination of a SOCKS CONNECT: what can be sent at all (checked before
 * any byte goes to the proxy), and for SOCKS4 the local lookup that picks
 * between a SOCKS4 request (an IPv4 address resolved here) and a SOCKS4a
 * request (the name, resolved by the proxy).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ErrorDomain, NetDBError } from '../error-codes.js';
import { posixError, StreamError } from '../errors.js';
import { portError } from '../port.js';
import type { SOCKS4Target } from './socks4-handshake.js';
import { SOCKSLimits } from './wire.js';

/** Where a CONNECT goes: a host name or literal address, and a port. */
export interface SOCKSDestination {
  readonly host: string;
  readonly port: number;
}

/** Looks a host name up locally, answering its addresses (as the stream core's resolver does). */
export type SOCKSLookup = (host: string) => Promise<string[]>;

/**
 * Why `destination` cannot be sent through any SOCKS version, or undefined
 * when it can: the host is empty, has a NUL (a NUL-terminated SOCKS4a field
 * would end early), or is longer than the one-octet length of RFC 1928 §5
 * DOMAINNAME (POSIX ENAMETOOLONG); or the port is not 1-65535 (POSIX EINVAL).
 */
export function checkDestination(
  destination: SOCKSDestination,
  proxy: string,
): StreamError | undefined {
  const { host, port } = destination;
  if (typeof host !== 'string' || host.length === 0 || host.includes('\0')) {
    return new StreamError(
      ErrorDomain.NetDB,
      NetDBError.EAI_NONAME,
      `${proxy}: the destination host is not a valid name`,
    );
  }
  const bytes = Buffer.byteLength(host, 'utf8');
  if (bytes > SOCKSLimits.maxNameBytes) {
    return posixError(
      'ENAMETOOLONG',
      `${proxy}: the destination host is ${bytes} UTF-8 bytes; SOCKS carries at most ${SOCKSLimits.maxNameBytes}`,
    );
  }
  return portError(port, 'connect', `${proxy}: the destination port`);
}

/**
 * SOCKS4 names its destination by IPv4 address, so the host is resolved here
 * (IPv4 answers only). When that fails or finds no IPv4 address, the request
 * falls back to SOCKS4a and the proxy resolves the name. An IPv6 literal
 * cannot be carried by either form: NetDB EAI_FAMILY, nothing sent.
 * Call {@link checkDestination} first.
 */
export async function resolveSOCKS4Target(
  destination: SOCKSDestination,
  lookup: SOCKSLookup,
  proxy: string,
): Promise<SOCKS4Target> {
  const { host, port } = destination;
  if (isIPv4(host)) return { kind: 'address', address: host, port };
  if (isIPv6(host)) {
    throw new StreamError(
      ErrorDomain.NetDB,
      NetDBError.EAI_FAMILY,
      `${proxy}: SOCKS4 carries IPv4 destinations only, not ${host}`,
    );
  }
  let addresses: readonly string[] = [];
  try {
    addresses = await lookup(host);
  } catch {
    // The lookup failure is not reported: SOCKS4a hands the name to the proxy instead.
    addresses = [];
  }
  const ipv4 = addresses.find((address) => isIPv4(address));
  return ipv4 === undefined
    ? { kind: 'name', host, port }
    : { kind: 'address', address: ipv4, port };
}
