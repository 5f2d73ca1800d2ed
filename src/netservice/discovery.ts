/**
 * The seam between services and the protocol that finds them: a NetService,
 * a browser and a publication pick their discovery by domain. `local.` is
 * multicast DNS (RFC 6762); every other domain goes to the default
 * discovery, unicast DNS-SD (RFC 6763 over ordinary DNS, unicast-discovery.ts).
 * These types belong to netservice: a protocol adapter (mdns-discovery.ts)
 * implements them, and the protocol itself imports nothing from here.
 */

import type { Observable } from 'rxjs';
import type { LazySignal } from '../abort.js';
import type { CachedResolutionMemo, ServiceResolution } from '../address.js';
import { nameKey } from '../dns/dns-name.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** A change seen while browsing one service type, by instance wire name. */
export interface DiscoveryEvent {
  readonly kind: 'found' | 'removed';
  /** The full instance name, presentation form without the final dot. */
  readonly instance: string;
  readonly moreComing: boolean;
}

/** A change of a live view (services$), by instance wire name. */
export interface ServiceChange {
  readonly kind: 'found' | 'updated' | 'removed';
  /** The full instance name, presentation form without the final dot. */
  readonly instance: string;
  /** The resolution now; for `removed`, the last one reported. */
  readonly resolution: ServiceResolution;
  readonly moreComing: boolean;
}

/** A service type seen in the domain's RFC 6763 §9 enumeration. */
export interface TypeEvent {
  readonly kind: 'found' | 'removed';
  /** The type, presentation form without the final dot ("_http._tcp.local"). */
  readonly type: string;
  readonly moreComing: boolean;
}

/** What to publish. */
export interface PublishRequest {
  readonly name: string;
  /** Type and domain in presentation form with final dots. */
  readonly type: string;
  readonly domain: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
  /** Fail with Collision instead of renaming on conflict. */
  readonly noRename: boolean;
  /** RFC 6763 §7.1 subtype labels ("_printer"); only for a discovery with `subtypes`. */
  readonly subtypes?: readonly string[];
}

/** A live publication. */
export interface Publication {
  /** Settles with the final registered instance name (after any renaming). */
  readonly registered: Promise<string>;
  /** Withdraws the service with goodbyes. */
  stop(): Promise<void>;
  /**
   * Replaces the TXT and tells the peers (throws BadArgument for a TXT it
   * cannot send). Settles once the change is in place: at once on the link,
   * when the server has taken the UPDATE in a DNS domain, which may refuse it.
   * Optional.
   */
  setTxt?(txt: readonly Buffer[]): Promise<void>;
}

/** A discovery protocol for some domains. */
export interface ServiceDiscovery {
  resolve(
    instance: string,
    options: { signal: AbortSignal | LazySignal; timeoutMs?: number | undefined; needTxt: boolean },
  ): Promise<ServiceResolution>;
  /**
   * The resolution known now without any I/O (a fresh cache), or undefined.
   * A discovery may keep its answer in the caller's `memo` and give it again
   * while its cache has not changed.
   */
  cached(instance: string, memo?: CachedResolutionMemo): ServiceResolution | undefined;
  browse(type: string): Observable<DiscoveryEvent>;
  /** Connecting to `failed` failed: its records are in doubt (RFC 6762 §10.4); optional. */
  reconfirm?(instance: string, failed: ServiceResolution): void;
  publish(request: PublishRequest): Publication;
  /** Browse domains this protocol finds beyond its own (RFC 6763 §11), with final dots. */
  domains?(signal: AbortSignal): Promise<string[]>;
  // The live half is optional: a discovery without a member makes the netservice layer fail
  // with a NetServices BadArgument naming the domain (`unsupported` below), never a crash.
  /** Found/updated/removed with resolutions for every instance of `type`, until unsubscribed. */
  services?(type: string): Observable<ServiceChange>;
  /** The resolution of one instance now and at every change, until unsubscribed. */
  monitor?(instance: string): Observable<ServiceResolution>;
  /** The service types of the domain (RFC 6763 §9), until unsubscribed. */
  types?(domain: string): Observable<TypeEvent>;
  /** True when `publish` registers subtypes (RFC 6763 §7.1). */
  readonly subtypes?: boolean;
}

/** The NetServices BadArgument for a capability a domain's discovery lacks. */
export function unsupported(what: string, domain: string): StreamError {
  return new StreamError(
    ErrorDomain.NetServices,
    NetServicesError.BadArgument,
    `${what} is not supported for domain ${JSON.stringify(domain)}`,
  );
}

const byDomain = new Map<string, ServiceDiscovery>();

/** Installs the discovery for a domain ("local." is installed by the mDNS adapter). */
export function registerDiscovery(domain: string, discovery: ServiceDiscovery): void {
  byDomain.set(nameKey(domain), discovery);
}

let fallback: ServiceDiscovery | undefined;

/** Installs the discovery for every domain without one of its own (unicast DNS-SD, RFC 6763). */
export function registerDefaultDiscovery(discovery: ServiceDiscovery): void {
  fallback = discovery;
}

/** The discovery of every domain without one of its own, if installed. */
export function defaultDiscovery(): ServiceDiscovery | undefined {
  return fallback;
}

// The last domain looked up and its key: every warm open to a service looks its domain up
// again, and folding the name into a key (a slice, a test, a lower-casing) was most of that.
let lastDomain: string | undefined;
let lastKey = '';

/** The discovery for a domain, or undefined for a domain nobody serves. */
export function findDiscovery(domain: string): ServiceDiscovery | undefined {
  if (domain !== lastDomain) {
    lastKey = nameKey(domain);
    lastDomain = domain;
  }
  return byDomain.get(lastKey) ?? fallback;
}

/** The discovery for a domain; throws BadArgument for a domain nobody serves. */
export function discoveryFor(domain: string): ServiceDiscovery {
  const found = findDiscovery(domain);
  if (found) return found;
  throw new StreamError(
    ErrorDomain.NetServices,
    NetServicesError.BadArgument,
    `domain ${JSON.stringify(domain)}: no discovery serves it (unicast DNS-SD is installed by the package root)`,
  );
}
