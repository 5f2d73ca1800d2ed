/**
 * Picks the resolver for a host name: `.local` names belong to multicast DNS
 * (RFC 6762 §3), every other name to the system resolver. This is the one
 * seam where a name's domain decides how it is looked up.
 */
import { resolveLocalHostName } from '../mdns/index.js';
import type { ResolvedAddress } from './address.js';
import { lookupWithSystemResolver } from './system-resolver.js';

/** Looks a name up; rejects with a StreamError. */
export type HostResolver = (name: string, signal: AbortSignal) => Promise<ResolvedAddress[]>;

const lookupWithMdns: HostResolver = (name, signal) => resolveLocalHostName(name, { signal });
let localResolver: HostResolver = lookupWithMdns;

/** Replaces the resolver for `.local` names (tests use this to hold a lookup open); undefined restores mDNS. */
export function setLocalNameResolver(resolver: HostResolver | undefined): void {
  localResolver = resolver ?? lookupWithMdns;
}

/** True for names in the `.local.` domain, with or without the final dot. */
export function isLocalName(name: string): boolean {
  return /\.local\.?$/i.test(name);
}

/** The resolver responsible for `name`. */
export function resolverFor(name: string): HostResolver {
  if (isLocalName(name)) return localResolver;
  return lookupWithSystemResolver;
}
