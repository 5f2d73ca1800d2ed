/**
 * Drivers of the live view (live-view.ts) on an engine: every instance of a
 * service type, found by browsing its PTR records (RFC 6763 §4), or one
 * instance monitored on its own. They own the cache listener, the questions,
 * the engine hold and the failure listener, and release all of them on stop.
 */

import { nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import type { StreamError } from '../errors.js';
import type { MdnsEngine } from './engine.js';
import { type LiveChange, LiveView, type LiveViewTimings } from './live-view.js';

/** What a driver reports to. */
export interface LiveSink {
  changes(changes: LiveChange[]): void;
  failed(error: StreamError): void;
}

/** Options of a driver. */
export interface LiveOptions {
  readonly timings?: Partial<LiveViewTimings>;
}

function hostOf(engine: MdnsEngine) {
  return {
    cache: engine.cache,
    clock: engine.clock,
    ask: (name: string, type: number) => engine.querier.ask(name, type),
  };
}

/**
 * Follows every instance of `type` ("_http._tcp.local", no final dot): the
 * PTR question stays on the wire (RFC 6762 §5.2), each instance's records
 * are asked for while missing. Returns the stop function.
 */
export function watchServicesWithEngine(
  engine: MdnsEngine,
  type: string,
  sink: LiveSink,
  options: LiveOptions = {},
): () => void {
  const typeKey = nameKey(type);
  // A subtype's instances are named under the base type (RFC 6763 §7.1).
  const sub = typeKey.indexOf('._sub.');
  const suffix = `.${sub < 0 ? typeKey : typeKey.slice(sub + '._sub.'.length)}`;
  const view = new LiveView(hostOf(engine), (changes) => sink.changes(changes), {
    ...(options.timings ? { timings: options.timings } : {}),
  });
  const present = new Map<string, string>();
  const syncPointers = (): void => {
    const live = new Map<string, string>();
    for (const entry of engine.cache.lookup(type, RRType.PTR)) {
      // A goodbye (RFC 6762 §10.1) removes at once; the cache keeps the record one more second.
      if (entry.doomed || entry.record.data.type !== 'PTR') continue;
      const target = entry.record.data.target;
      const key = nameKey(target);
      // RFC 6763 §4.1: an instance of this type is "<Instance>.<type>"; anything else is not one.
      if (!key.endsWith(suffix) || key.length === suffix.length) continue;
      // "_printer._sub.<type>" names a subtype (RFC 6763 §7.1), not an instance.
      if (/(^|\.)_sub$/.test(key.slice(0, -suffix.length))) continue;
      live.set(key, target);
    }
    for (const [key, target] of present)
      if (!live.has(key)) {
        present.delete(key);
        view.remove(target);
      }
    for (const [key, target] of live)
      if (!present.has(key)) {
        present.set(key, target);
        view.add(target);
      }
  };
  const offCache = engine.cache.onChange((events) => {
    if (
      events.some(
        (e) => e.entry.record.data.type === 'PTR' && nameKey(e.entry.record.name) === typeKey,
      )
    )
      syncPointers();
    view.onCacheChange(events);
  });
  const release = engine.querier.ask(type, RRType.PTR);
  const unhold = engine.hold();
  const offFailure = engine.onFailure((error) => sink.failed(error));
  syncPointers();
  return () => {
    offCache();
    view.close();
    release();
    unhold();
    offFailure();
  };
}

/**
 * Follows one instance ("Name._http._tcp.local"), asking for its SRV and TXT
 * for as long as it runs so that changes are seen even between announcements.
 * Returns the stop function.
 */
export function monitorServiceWithEngine(
  engine: MdnsEngine,
  instance: string,
  sink: LiveSink,
  options: LiveOptions = {},
): () => void {
  const view = new LiveView(hostOf(engine), (changes) => sink.changes(changes), {
    continuous: true,
    ...(options.timings ? { timings: options.timings } : {}),
  });
  const offCache = engine.cache.onChange((events) => view.onCacheChange(events));
  const unhold = engine.hold();
  const offFailure = engine.onFailure((error) => sink.failed(error));
  view.add(instance);
  return () => {
    offCache();
    view.close();
    unhold();
    offFailure();
  };
}
