/**
 * NetServiceBrowser: finds the instances of a service type (RFC 6763 §4) as
 * CFNetServiceBrowser. `browse$` emits `found` and `removed` (after a goodbye,
 * or when a record's TTL runs out with no refresh), with `moreComing` set
 * while more events of the same batch follow. `services$` keeps a live view
 * of the instances with their resolutions; `types$` lists the service types
 * of a domain (RFC 6763 §9).
 */
import type { Observable } from 'rxjs';
import { nameKey } from '../dns/dns-name.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { newObservable, rxMap } from '../rx.js';
import { defaultDiscovery, discoveryFor, unsupported } from './discovery.js';
import './mdns-discovery.js';
import './unicast-discovery.js';
import {
  type NetService,
  type NetServiceInfo,
  netServiceInfo,
  serviceFromPtrTarget,
} from './net-service.js';
import { normalizeDomain, normalizeType } from './service-name.js';
import { typeFromEnumeration } from './service-types.js';

/** One change seen while browsing. */
export interface BrowseEvent {
  readonly kind: 'found' | 'removed';
  readonly service: NetService;
  /** True when more events of the same batch follow at once (CF's kCFNetServiceFlagMoreComing). */
  readonly moreComing: boolean;
}

/** One change of a live view of services. */
export interface ServiceEvent {
  readonly kind: 'found' | 'updated' | 'removed';
  /** The same NetService object for every event of one instance. */
  readonly service: NetService;
  /** The resolution now; for `removed`, the last one reported. */
  readonly info: NetServiceInfo;
  readonly moreComing: boolean;
}

/** One service type appearing in or leaving a domain. */
export interface ServiceTypeEvent {
  readonly kind: 'found' | 'removed';
  /** The type as `browse$` takes it and `NetService#type` spells it: "_http._tcp.". */
  readonly type: string;
  readonly domain: string;
  readonly moreComing: boolean;
}

/** RFC 6763 §9: the meta-type whose PTR records name service types, not instances. */
const META_TYPE = '_services._dns-sd._udp.';

/**
 * The NetService for an instance name a browse found, or undefined when the
 * name is not an instance of `type` (RFC 6763 §4.1: "<Instance>.<type>"; a
 * subtype's instances are those of its base type, §7.1).
 */
function serviceFromInstance(instance: string, fullType: string): NetService | undefined {
  const key = nameKey(instance);
  const suffix = `.${baseTypeKey(fullType)}`;
  if (!key.endsWith(suffix) || key.length === suffix.length) return undefined;
  // "_printer._sub.<type>" names a subtype (§7.1), not an instance called "_printer._sub".
  if (/(^|\.)_sub$/.test(key.slice(0, -suffix.length))) return undefined;
  try {
    // The PTR target's own wire labels resolve it (a peer may write "My.Printer" as two labels).
    return serviceFromPtrTarget(instance);
  } catch {
    // A PTR whose target is not a well-formed instance name is ignored.
    return undefined;
  }
}

/** "_printer._sub._http._tcp.local." → "_http._tcp.local" (name key); a plain type as it is. */
function baseTypeKey(fullType: string): string {
  const key = nameKey(fullType);
  const sub = key.indexOf('._sub.');
  return sub < 0 ? key : key.slice(sub + '._sub.'.length);
}

function refuseMetaType(type: string): void {
  if (nameKey(type) === nameKey(META_TYPE))
    throw new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.BadArgument,
      `${META_TYPE} lists service types, not instances: use NetServiceBrowser.types$() (RFC 6763 §9)`,
    );
}

/** Browses for services. */
export class NetServiceBrowser {
  /** Emits found/removed for instances of `type` in `domain` (default "local.") until unsubscribed. */
  browse$(type: string, domain = 'local.'): Observable<BrowseEvent> {
    const normalizedType = normalizeType(type);
    const normalizedDomain = normalizeDomain(domain);
    refuseMetaType(normalizedType);
    const fullType = `${normalizedType}${normalizedDomain}`;
    return newObservable<BrowseEvent>((subscriber) => {
      const discovery = discoveryFor(normalizedDomain);
      const subscription = discovery
        .browse(fullType)
        .pipe(
          rxMap((event): BrowseEvent | undefined => {
            const service = serviceFromInstance(event.instance, fullType);
            return service && { kind: event.kind, service, moreComing: event.moreComing };
          }),
        )
        .subscribe({
          next: (event) => {
            if (event) subscriber.next(event);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      return () => subscription.unsubscribe();
    });
  }

  /**
   * The browse domains (RFC 6763 §11): "local.", then those that the DNS
   * servers name under the system's search domains and the local subnets'
   * reverse-mapping domains; completes when every question is answered.
   */
  domains$(): Observable<string> {
    return newObservable<string>((subscriber) => {
      const controller = new AbortController();
      subscriber.next('local.');
      const unicast = defaultDiscovery();
      if (unicast?.domains === undefined) {
        subscriber.complete();
        return undefined;
      }
      unicast.domains(controller.signal).then(
        (domains) => {
          for (const domain of domains)
            if (domain.toLowerCase() !== 'local.') subscriber.next(domain);
          subscriber.complete();
        },
        (error: unknown) => {
          if (!controller.signal.aborted) subscriber.error(error);
        },
      );
      return () => controller.abort();
    });
  }

  /**
   * A live view of `type` in `domain`: `found` once an instance's SRV,
   * addresses and TXT are known (info as `resolve$` gives it), `updated`
   * when its TXT, port, target host or addresses change, `removed` after its
   * goodbye or expiry. Changes to one instance are merged to at most two a
   * second. Unsubscribing stops every question it asked.
   */
  services$(type: string, domain = 'local.'): Observable<ServiceEvent> {
    const normalizedType = normalizeType(type);
    const normalizedDomain = normalizeDomain(domain);
    refuseMetaType(normalizedType);
    const fullType = `${normalizedType}${normalizedDomain}`;
    return newObservable<ServiceEvent>((subscriber) => {
      const discovery = discoveryFor(normalizedDomain);
      if (discovery.services === undefined) throw unsupported('services$', normalizedDomain);
      const services = new Map<string, NetService>();
      const subscription = discovery.services(fullType).subscribe({
        next: (change) => {
          const key = nameKey(change.instance);
          const service = services.get(key) ?? serviceFromInstance(change.instance, fullType);
          if (service === undefined) return;
          if (change.kind === 'removed') services.delete(key);
          else services.set(key, service);
          subscriber.next({
            kind: change.kind,
            service,
            info: netServiceInfo(change.resolution),
            moreComing: change.moreComing,
          });
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => subscription.unsubscribe();
    });
  }

  /** Emits found/removed for the service types of `domain` (RFC 6763 §9) until unsubscribed. */
  types$(domain = 'local.'): Observable<ServiceTypeEvent> {
    const normalizedDomain = normalizeDomain(domain);
    return newObservable<ServiceTypeEvent>((subscriber) => {
      const discovery = discoveryFor(normalizedDomain);
      if (discovery.types === undefined) throw unsupported('types$', normalizedDomain);
      return discovery.types(normalizedDomain).subscribe({
        next: (event) => {
          const type = typeFromEnumeration(event.type, normalizedDomain);
          if (type === undefined) return;
          subscriber.next({
            kind: event.kind,
            type,
            domain: normalizedDomain,
            moreComing: event.moreComing,
          });
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
  }

  /** Same as `browse$`, as a static for one-off use. */
  static browse$(type: string, domain = 'local.'): Observable<BrowseEvent> {
    return new NetServiceBrowser().browse$(type, domain);
  }

  /** Same as `services$`, as a static. */
  static services$(type: string, domain = 'local.'): Observable<ServiceEvent> {
    return new NetServiceBrowser().services$(type, domain);
  }

  /** Same as `types$`, as a static. */
  static types$(domain = 'local.'): Observable<ServiceTypeEvent> {
    return new NetServiceBrowser().types$(domain);
  }
}
