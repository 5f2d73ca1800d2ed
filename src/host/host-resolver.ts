/**
 * Picks the resolver for a host name: `.local` names belong to multicast DNS
 * (RFC 6762 §3), every other name to the system resolver. This is the one
 * seam where a name's domain decides how it is looked up. Host does not
 * import mDNS: the package's wiring (src/mdns-wiring.ts) registers it, so
 * the host room stays below the mdns room.
 */
import type { ResolvedAddress } from '../address.js';
import { lookupWithSystemResolver } from './system-resolver.js';

/** Looks a name up; rejects with a StreamError. */
export type HostResolver = (name: string, signal: AbortSignal) => Promise<ResolvedAddress[]>;

// Until something registers, `.local` names go where getaddrinfo sends them
// (nss-mdns, if the system has it), as for a Host used without the package root.
let localResolver: HostResolver = lookupWithSystemResolver;

/**
 * Installs the resolver for `.local` names (the package root installs
 * multicast DNS; tests hold a lookup open with their own); returns a function
 * that puts back the one it replaced.
 */
export function registerLocalNameResolver(resolver: HostResolver): () => void {
  const previous = localResolver;
  localResolver = resolver;
  return () => {
    localResolver = previous;
  };
}

/** True for names in the `.local.` domain (with or without the final dot): Host asks multicast DNS for these (RFC 6762 §3). */
export function isLocalName(name: string): boolean {
  return /\.local\.?$/i.test(name);
}

/** The resolver responsible for `name`. */
export function resolverFor(name: string): HostResolver {
  if (isLocalName(name)) return localResolver;
  return lookupWithSystemResolver;
}
