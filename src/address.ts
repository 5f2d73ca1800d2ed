/** The address shapes shared by hosts, services, mDNS and the connector: a leaf that imports no room of src/. */
import { isIP } from 'node:net';

/** One resolved address. `address` may carry an IPv6 scope ("fe80::1%eth0"). */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** What a service instance resolves to, from any discovery. TXT strings are raw (RFC 6763 §6). */
export interface ServiceResolution {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: ResolvedAddress[];
  readonly txt: readonly Buffer[] | undefined;
}

/**
 * A caller's slot for a discovery's last cached resolution (one per
 * NetService), reused while the cache answers as it did; empty: `stamp` -1.
 */
export interface CachedResolutionMemo {
  instanceName: string;
  stamp: number;
  resolution: ServiceResolution | undefined;
}

// Texts lately told apart, and what they were (0: a name). dgram asks for the family at every
// send, and a responder under load replies to the same few askers; a pair to one address parses
// it at every open. node:net's regular expressions were a visible part of both. A flood of new
// texts only cycles the map.
const families = new Map<string, 0 | 4 | 6>();
const MAX_FAMILIES = 256;

/** The family of a literal address, or undefined for a name. Accepts a "%scope" suffix on IPv6. */
export function literalFamily(text: string): 4 | 6 | undefined {
  let family = families.get(text);
  if (family === undefined) {
    const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    const scope = bare.indexOf('%');
    const version = isIP(scope < 0 ? bare : bare.slice(0, scope));
    family = version === 4 || version === 6 ? version : 0;
    if (families.size >= MAX_FAMILIES) families.clear();
    families.set(text, family);
  }
  return family === 0 ? undefined : family;
}
