/**
 * DNS-SD over multicast DNS for the `local.` domain: resolve and browse
 * through the shared engine's cache and querier, publish through its
 * responder.
 */
import type { Observable } from 'rxjs';
import { abortSignalOf } from '../abort.js';
import { nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { getMdnsEngine, runningMdnsEngine } from '../mdns/engine.js';
import type { CacheEvent } from '../mdns/record-cache.js';
import { cachedService, reconfirmService, resolveServiceWithEngine } from '../mdns/resolve.js';
import { publishWithEngine } from '../mdns/responder-registry.js';
import { newObservable } from '../rx.js';
import {
  type DiscoveryEvent,
  type Publication,
  type PublishRequest,
  registerDiscovery,
  type ServiceDiscovery,
} from './discovery.js';
import { liveServices, monitorService, serviceTypes } from './mdns-live-discovery.js';

/** Browses one service type (RFC 6763 §4): PTR records of `_type._proto.local`. */
function browseWithEngine(type: string): Observable<DiscoveryEvent> {
  return newObservable<DiscoveryEvent>((subscriber) => {
    const engine = getMdnsEngine();
    const key = nameKey(type);
    const present = new Map<string, string>();
    const emit = (changes: { kind: 'found' | 'removed'; instance: string }[]): void => {
      for (const [i, change] of changes.entries()) {
        subscriber.next({ ...change, moreComing: i < changes.length - 1 });
      }
    };
    const liveTargets = (): Map<string, string> => {
      const live = new Map<string, string>();
      for (const entry of engine.cache.lookup(type, RRType.PTR)) {
        if (entry.record.data.type === 'PTR')
          live.set(nameKey(entry.record.data.target), entry.record.data.target);
      }
      return live;
    };
    const sync = (): void => {
      const live = liveTargets();
      const changes: { kind: 'found' | 'removed'; instance: string }[] = [];
      for (const [k, target] of live)
        if (!present.has(k)) changes.push({ kind: 'found', instance: target });
      for (const [k, target] of present)
        if (!live.has(k)) changes.push({ kind: 'removed', instance: target });
      for (const c of changes) {
        if (c.kind === 'found') present.set(nameKey(c.instance), c.instance);
        else present.delete(nameKey(c.instance));
      }
      emit(changes);
    };
    const unsubscribe = engine.cache.onChange((events: readonly CacheEvent[]) => {
      if (
        events.some(
          (e) => nameKey(e.entry.record.name) === key && e.entry.record.data.type === 'PTR',
        )
      )
        sync();
    });
    const release = engine.querier.ask(type, RRType.PTR);
    const unhold = engine.hold();
    const offFailure = engine.onFailure((error) => subscriber.error(error));
    sync();
    return () => {
      unsubscribe();
      release();
      unhold();
      offFailure();
    };
  });
}

/** The `local.` discovery. */
export const mdnsDiscovery: ServiceDiscovery = {
  resolve(instance, options) {
    return resolveServiceWithEngine(getMdnsEngine(), instance, {
      signal: abortSignalOf(options.signal),
      needTxt: options.needTxt,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  },
  cached(instance, memo) {
    const engine = runningMdnsEngine();
    return engine === undefined
      ? undefined
      : cachedService(engine.cache, instance, engine.scopeOf, memo);
  },
  browse: (type) => browseWithEngine(type.replace(/\.$/, '')),
  reconfirm(instance, failed) {
    const engine = runningMdnsEngine();
    if (engine !== undefined) reconfirmService(engine, instance, failed);
  },
  publish(request: PublishRequest): Publication {
    const publication = publishWithEngine(getMdnsEngine(), request);
    return {
      registered: publication.registered,
      stop: () => publication.stop(),
      // Throws at once for a TXT it cannot send; then the responder answers with the new TXT
      // (its announcements are paced, §8.4), so the change is in place.
      setTxt: (txt) => {
        publication.setTxt(txt);
        return Promise.resolve();
      },
    };
  },
  services: (type) => liveServices(type.replace(/\.$/, '')),
  monitor: (instance) => monitorService(instance),
  types: () => serviceTypes(),
  subtypes: true,
};

registerDiscovery('local.', mdnsDiscovery);
