/**
 * A live view of service instances (RFC 6763 §4-6 kept current by RFC 6762
 * §8.4 announcements and §10 cache changes): for each instance it follows
 * the SRV, the TXT and the SRV target's addresses in the cache, and reports
 * `found` once all are known, `updated` when any changes, and `removed` when
 * its owner says so. One cache listener serves every instance (hundreds of
 * them), indexed by name. Changes are coalesced per instance: a peer that
 * rewrites its TXT many times a second yields at most one `updated` per
 * `updateIntervalMs`, carrying the latest data, so a subscriber is never
 * flooded. Socket-free: the cache, querier and clock come from outside.
 */
import type { ResolvedAddress } from '../address.js';
import type { Clock, Timer } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { QuestionSlots } from './question-slots.js';
import type { CacheEntry, CacheEvent, RecordCache } from './record-cache.js';
import { cachedAddresses } from './resolve.js';

/** What a live instance resolves to now. TXT strings are raw (RFC 6763 §6). */
export interface LiveResolution {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: ResolvedAddress[];
  readonly txt: readonly Buffer[];
}

/** One change of the view. */
export interface LiveChange {
  readonly kind: 'found' | 'updated' | 'removed';
  /** The instance name as first given (presentation form, no final dot). */
  readonly instance: string;
  /** The resolution now (for `removed`: the last one reported). */
  readonly resolution: LiveResolution;
}

/** Timings of a view. */
export interface LiveViewTimings {
  /** At most one `updated` per instance this often; later changes wait and merge. */
  readonly updateIntervalMs: number;
  /** A service whose TXT never comes is reported without it after this long (RFC 6763 §6 requires one). */
  readonly txtWaitMs: number;
  /** At most this many instances ask for missing records at once (question-slots.ts). */
  readonly askingLimit: number;
  /** An instance asking this long without an answer yields its turn to waiting ones. */
  readonly askTurnMs: number;
}

/** Default timings: a dashboard stays current within half a second. */
export const LIVE_VIEW_TIMINGS: LiveViewTimings = {
  updateIntervalMs: 500,
  txtWaitMs: 1000,
  askingLimit: 64,
  askTurnMs: 5000,
};

interface Tracked {
  readonly instance: string;
  readonly key: string;
  /** The SRV target being followed, by name key ('' before an SRV). */
  targetKey: string;
  reported: LiveResolution | undefined;
  reportedAt: number;
  /** When SRV and addresses were first complete without TXT. */
  waitingTxtSince: number | undefined;
  /** When the first of its records reaches its refresh point (RFC 6762 §5.2). */
  refreshAt: number;
}

/** RFC 6762 §5.2: a record still wanted is asked for again at 80% of its lifetime. */
const REFRESH_POINT = 0.8;

/** The parts of an engine a view uses. */
export interface LiveViewHost {
  readonly cache: RecordCache;
  readonly clock: Clock;
  /** Asks a question until the returned release is called. */
  ask(name: string, type: number): () => void;
}

/** Follows instances; `emit` gets each flush's changes as one batch. */
export class LiveView {
  readonly #host: LiveViewHost;
  readonly #timings: LiveViewTimings;
  readonly #emit: (changes: LiveChange[]) => void;
  /** Ask SRV and TXT for the whole life of an instance (monitoring), not only while missing. */
  readonly #continuous: boolean;
  readonly #byKey = new Map<string, Tracked>();
  readonly #byTarget = new Map<string, Set<Tracked>>();
  readonly #dirty = new Set<Tracked>();
  readonly #slots: QuestionSlots<Tracked>;
  #removals: LiveChange[] = [];
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(
    host: LiveViewHost,
    emit: (changes: LiveChange[]) => void,
    options: { continuous?: boolean; timings?: Partial<LiveViewTimings> } = {},
  ) {
    this.#host = host;
    this.#emit = emit;
    this.#continuous = options.continuous ?? false;
    this.#timings = { ...LIVE_VIEW_TIMINGS, ...options.timings };
    // One monitored instance asks freely; a browse's instances share a budget (question-slots.ts).
    this.#slots = new QuestionSlots<Tracked>(
      host,
      this.#continuous ? Number.POSITIVE_INFINITY : this.#timings.askingLimit,
      this.#timings.askTurnMs,
      (tracked) => this.#markDirty(tracked, this.#host.clock.now()),
    );
  }

  /** How many instances it follows. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Starts following an instance (no-op when followed already). */
  add(instance: string): void {
    const key = nameKey(instance);
    if (this.#closed || this.#byKey.has(key)) return;
    const tracked: Tracked = {
      instance,
      key,
      targetKey: '',
      reported: undefined,
      reportedAt: Number.NEGATIVE_INFINITY,
      waitingTxtSince: undefined,
      refreshAt: Number.POSITIVE_INFINITY,
    };
    this.#byKey.set(key, tracked);
    this.#markDirty(tracked, this.#host.clock.now());
  }

  /** Stops following an instance; a reported one comes out as `removed`. */
  remove(instance: string): void {
    const tracked = this.#byKey.get(nameKey(instance));
    if (tracked === undefined) return;
    this.#forget(tracked);
    if (tracked.reported !== undefined) {
      this.#removals.push({
        kind: 'removed',
        instance: tracked.instance,
        resolution: tracked.reported,
      });
      this.#scheduleAt(this.#host.clock.now());
    }
  }

  /** The cache changed: re-read the instances the changed names belong to. */
  onCacheChange(events: readonly CacheEvent[]): void {
    const now = this.#host.clock.now();
    for (const event of events) {
      const key = nameKey(event.entry.record.name);
      const tracked = this.#byKey.get(key);
      if (tracked !== undefined) this.#markDirty(tracked, now);
      for (const follower of this.#byTarget.get(key) ?? []) this.#markDirty(follower, now);
    }
  }

  /** Stops everything: every question is released, nothing more is emitted. */
  close(): void {
    this.#closed = true;
    for (const tracked of [...this.#byKey.values()]) this.#forget(tracked);
    this.#slots.close();
    this.#dirty.clear();
    this.#removals = [];
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #forget(tracked: Tracked): void {
    this.#byKey.delete(tracked.key);
    this.#dirty.delete(tracked);
    this.#follow(tracked, '');
    this.#slots.release(tracked);
  }

  #follow(tracked: Tracked, targetKey: string): void {
    if (tracked.targetKey === targetKey) return;
    const old = this.#byTarget.get(tracked.targetKey);
    old?.delete(tracked);
    if (old?.size === 0) this.#byTarget.delete(tracked.targetKey);
    tracked.targetKey = targetKey;
    if (targetKey === '') return;
    let set = this.#byTarget.get(targetKey);
    if (set === undefined) this.#byTarget.set(targetKey, (set = new Set()));
    set.add(tracked);
  }

  #markDirty(tracked: Tracked, now: number): void {
    this.#dirty.add(tracked);
    this.#scheduleAt(now);
  }

  #scheduleAt(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#host.clock.setTimer(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#flush();
      },
      Math.max(0, at - this.#host.clock.now()),
    );
  }

  #flush(): void {
    const now = this.#host.clock.now();
    const changes = this.#removals;
    this.#removals = [];
    let next = Number.POSITIVE_INFINITY;
    for (const tracked of this.#byKey.values())
      if (tracked.refreshAt <= now) this.#dirty.add(tracked);
    for (const tracked of [...this.#dirty]) {
      const { resolution, retryAt } = this.#read(tracked, now);
      if (resolution === undefined) {
        this.#dirty.delete(tracked);
        if (retryAt !== undefined) next = Math.min(next, retryAt);
        continue;
      }
      if (tracked.reported !== undefined && sameResolution(tracked.reported, resolution)) {
        this.#dirty.delete(tracked);
        continue;
      }
      // Coalesce: a change within the interval waits for its end and reports the latest data.
      const allowedAt = tracked.reportedAt + this.#timings.updateIntervalMs;
      if (tracked.reported !== undefined && now < allowedAt) {
        next = Math.min(next, allowedAt);
        continue;
      }
      this.#dirty.delete(tracked);
      changes.push({
        kind: tracked.reported === undefined ? 'found' : 'updated',
        instance: tracked.instance,
        resolution,
      });
      tracked.reported = resolution;
      tracked.reportedAt = now;
    }
    next = Math.min(next, this.#slots.rotate(now));
    for (const tracked of this.#byKey.values()) next = Math.min(next, tracked.refreshAt);
    // A retry re-reads the instances still dirty (coalesced updates, TXT waits).
    if (next !== Number.POSITIVE_INFINITY) {
      for (const tracked of this.#byKey.values())
        if (tracked.waitingTxtSince !== undefined) this.#dirty.add(tracked);
      this.#scheduleAt(next);
    }
    if (changes.length > 0) this.#emit(changes);
  }

  /**
   * The instance's resolution from the cache, asking for what is missing
   * (SRV, TXT, the target's addresses; RFC 6763 §12 follow-ups); `retryAt`
   * when only the TXT wait holds it back.
   */
  #read(tracked: Tracked, now: number): { resolution?: LiveResolution; retryAt?: number } {
    const cache = this.#host.cache;
    // A doomed record (goodbye, or flushed by newer data, RFC 6762 §10.1-10.2) is no longer the service's.
    // Of two live records (a cache-flush spares data under a second old, §10.2), the newer is current.
    const newest = (type: number) =>
      cache
        .lookup(tracked.instance, type)
        .filter((e) => !e.doomed)
        .sort((a, b) => b.receivedAt - a.receivedAt)[0];
    const srvEntry = newest(RRType.SRV);
    const srv = srvEntry?.record.data.type === 'SRV' ? srvEntry.record.data : undefined;
    const txtEntry = newest(RRType.TXT);
    const txt = txtEntry?.record.data.type === 'TXT' ? txtEntry.record.data.strings : undefined;
    // Records kept fresh by asking again before they expire (§5.2): without it, a host's A
    // record heard in another packet than its AAAA expires first and the service "changes".
    tracked.refreshAt = Number.POSITIVE_INFINITY;
    const stale = (entries: readonly CacheEntry[]): boolean => {
      let due = false;
      for (const entry of entries) {
        if (entry.doomed) continue;
        const at = entry.receivedAt + REFRESH_POINT * entry.record.ttl * 1000;
        if (at <= now) due = true;
        else tracked.refreshAt = Math.min(tracked.refreshAt, at);
      }
      return due;
    };
    const want = new Set<string>();
    const srvDue = srvEntry !== undefined && stale([srvEntry]);
    const txtDue = txtEntry !== undefined && stale([txtEntry]);
    if (this.#continuous || srv === undefined || srvDue)
      want.add(`${tracked.instance}|${RRType.SRV}`);
    if (this.#continuous || txt === undefined || txtDue)
      want.add(`${tracked.instance}|${RRType.TXT}`);
    let addresses: ResolvedAddress[] = [];
    if (srv !== undefined) {
      this.#follow(tracked, nameKey(srv.target));
      addresses = cachedAddresses(cache, srv.target);
      for (const type of [RRType.A, RRType.AAAA])
        if (this.#continuous || addresses.length === 0 || stale(cache.lookup(srv.target, type)))
          want.add(`${srv.target}|${type}`);
    } else {
      this.#follow(tracked, '');
    }
    this.#slots.set(tracked, want);
    if (srv === undefined || addresses.length === 0) {
      tracked.waitingTxtSince = undefined;
      return {};
    }
    const resolution = { hostName: srv.target, port: srv.port, addresses, txt: txt ?? [] };
    if (txt !== undefined || tracked.reported !== undefined) {
      tracked.waitingTxtSince = undefined;
      return { resolution };
    }
    tracked.waitingTxtSince ??= now;
    const readyAt = tracked.waitingTxtSince + this.#timings.txtWaitMs;
    return now >= readyAt ? { resolution } : { retryAt: readyAt };
  }
}

/** True when two resolutions carry the same target, port, addresses and TXT. */
export function sameResolution(a: LiveResolution, b: LiveResolution): boolean {
  if (nameKey(a.hostName) !== nameKey(b.hostName) || a.port !== b.port) return false;
  const addressesOf = (r: LiveResolution): string =>
    r.addresses
      .map((x) => x.address)
      .sort()
      .join(' ');
  if (addressesOf(a) !== addressesOf(b)) return false;
  return a.txt.length === b.txt.length && a.txt.every((s, i) => s.equals(b.txt[i] as Buffer));
}
