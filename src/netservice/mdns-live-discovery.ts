/**
 * The live half of DNS-SD over multicast DNS for `local.`: the engine's live
 * view (services$, monitor$) and the service type enumeration (RFC 6763 §9)
 * as observables. mdns-discovery.ts plugs these into the `local.` discovery.
 */
import type { Observable } from 'rxjs';
import type { ServiceResolution } from '../address.js';
import { nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { getMdnsEngine } from '../mdns/engine.js';
import { monitorServiceWithEngine, watchServicesWithEngine } from '../mdns/live-services.js';
import { SERVICES_META } from '../mdns/responder-records.js';
import { newObservable } from '../rx.js';
import type { ServiceChange, TypeEvent } from './discovery.js';

/** Every instance of `type` ("_http._tcp.local", no final dot) with its resolution. */
export function liveServices(type: string): Observable<ServiceChange> {
  return newObservable<ServiceChange>((subscriber) =>
    watchServicesWithEngine(getMdnsEngine(), type, {
      changes: (changes) => {
        for (const [i, change] of changes.entries())
          subscriber.next({ ...change, moreComing: i < changes.length - 1 });
      },
      failed: (error) => subscriber.error(error),
    }),
  );
}

/** One instance's resolution now and after every change. */
export function monitorService(instance: string): Observable<ServiceResolution> {
  return newObservable<ServiceResolution>((subscriber) =>
    monitorServiceWithEngine(getMdnsEngine(), instance, {
      changes: (changes) => {
        for (const change of changes)
          if (change.kind !== 'removed') subscriber.next(change.resolution);
      },
      failed: (error) => subscriber.error(error),
    }),
  );
}

/** RFC 6763 §9: the PTR records of `_services._dns-sd._udp.local` name the types on the link. */
export function serviceTypes(): Observable<TypeEvent> {
  return newObservable<TypeEvent>((subscriber) => {
    const engine = getMdnsEngine();
    const metaKey = nameKey(SERVICES_META);
    const present = new Map<string, string>();
    const sync = (): void => {
      const live = new Map<string, string>();
      for (const entry of engine.cache.lookup(SERVICES_META, RRType.PTR)) {
        if (entry.doomed || entry.record.data.type !== 'PTR') continue;
        live.set(nameKey(entry.record.data.target), entry.record.data.target);
      }
      const changes: { kind: 'found' | 'removed'; type: string }[] = [];
      for (const [key, type] of present)
        if (!live.has(key)) {
          present.delete(key);
          changes.push({ kind: 'removed', type });
        }
      for (const [key, type] of live)
        if (!present.has(key)) {
          present.set(key, type);
          changes.push({ kind: 'found', type });
        }
      for (const [i, change] of changes.entries())
        subscriber.next({ ...change, moreComing: i < changes.length - 1 });
    };
    const offCache = engine.cache.onChange((events) => {
      if (events.some((e) => nameKey(e.entry.record.name) === metaKey)) sync();
    });
    const release = engine.querier.ask(SERVICES_META, RRType.PTR);
    const unhold = engine.hold();
    const offFailure = engine.onFailure((error) => subscriber.error(error));
    sync();
    return () => {
      offCache();
      release();
      unhold();
      offFailure();
    };
  });
}
