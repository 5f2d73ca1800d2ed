/**
 * The seam between services and the protocol that finds them: a NetService,
 * a browser and a publication pick their discovery by domain. `local.` is
 * multicast DNS (RFC 6762); every other domain goes to the default
 * discovery, unicast DNS-SD (RFC 6763 over ordinary DNS, unicast-discovery.ts).
 * These types belong to netservice: a protocol adapter (mdns-discovery.ts)
 * implements them, and the protocol itself imports nothing from here.
 */
import type { Observable } from 'rxjs';
import type { ResolvedAddress } from '../address.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { nameKey } from '../mdns/dns-name.js';

/** What a service instance resolves to. TXT strings are raw (RFC 6763 §6). */
export interface ServiceResolution {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: ResolvedAddress[];
  readonly txt: readonly Buffer[] | undefined;
}

/** A change seen while browsing one service type, by instance wire name. */
export interface DiscoveryEvent {
  readonly kind: 'found' | 'removed';
  /** The full instance name, presentation form without the final dot. */
  readonly instance: string;
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
}

/** A live publication. */
export interface Publication {
  /** Settles with the final registered instance name (after any renaming). */
  readonly registered: Promise<string>;
  /** Withdraws the service with goodbyes. */
  stop(): Promise<void>;
}

/** A discovery protocol for some domains. */
export interface ServiceDiscovery {
  resolve(
    instance: string,
    options: { signal: AbortSignal; timeoutMs?: number | undefined; needTxt: boolean },
  ): Promise<ServiceResolution>;
  /** The resolution known now without any I/O (a fresh cache), or undefined. */
  cached(instance: string): ServiceResolution | undefined;
  browse(type: string): Observable<DiscoveryEvent>;
  /** Connecting to `failed` failed: its records are in doubt (RFC 6762 §10.4); optional. */
  reconfirm?(instance: string, failed: ServiceResolution): void;
  publish(request: PublishRequest): Publication;
  /** Browse domains this protocol finds beyond its own (RFC 6763 §11), with final dots. */
  domains?(signal: AbortSignal): Promise<string[]>;
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

/** The discovery for a domain, or undefined for a domain nobody serves. */
export function findDiscovery(domain: string): ServiceDiscovery | undefined {
  return byDomain.get(nameKey(domain)) ?? fallback;
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
