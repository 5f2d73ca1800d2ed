/**
 * NetServiceBrowser: finds the instances of a service type (RFC 6763 §4) as
 * CFNetServiceBrowser. `browse$` emits `found` and `removed` (after a goodbye,
 * or when a record's TTL runs out with no refresh), with `moreComing` set
 * while more events of the same batch follow.
 */
import { map, Observable } from 'rxjs';
import { defaultDiscovery, discoveryFor } from './discovery.js';
import './mdns-discovery.js';
import './unicast-discovery.js';
import { type NetService, serviceFromPtrTarget } from './net-service.js';
import { normalizeDomain, normalizeType } from './service-name.js';

/** One change seen while browsing. */
export interface BrowseEvent {
  readonly kind: 'found' | 'removed';
  readonly service: NetService;
  /** True when more events of the same batch follow at once (CF's kCFNetServiceFlagMoreComing). */
  readonly moreComing: boolean;
}

/** Browses for services. */
export class NetServiceBrowser {
  /** Emits found/removed for instances of `type` in `domain` (default "local.") until unsubscribed. */
  browse$(type: string, domain = 'local.'): Observable<BrowseEvent> {
    const normalizedType = normalizeType(type);
    const normalizedDomain = normalizeDomain(domain);
    return new Observable<BrowseEvent>((subscriber) => {
      const discovery = discoveryFor(normalizedDomain);
      const subscription = discovery
        .browse(`${normalizedType}${normalizedDomain}`)
        .pipe(
          map((event): BrowseEvent | undefined => {
            try {
              return {
                kind: event.kind,
                service: serviceFromPtrTarget(event.instance),
                moreComing: event.moreComing,
              };
            } catch {
              // A PTR whose target is not a well-formed instance name is ignored.
              return undefined;
            }
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
    return new Observable<string>((subscriber) => {
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

  /** Same as `browse$`, as a static for one-off use. */
  static browse$(type: string, domain = 'local.'): Observable<BrowseEvent> {
    return new NetServiceBrowser().browse$(type, domain);
  }
}
