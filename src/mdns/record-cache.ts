/**
 * The record cache (RFC 6762 §10): every answer heard on the link, kept for
 * its TTL. Cache-flush records replace older data of the same name and type
 * (§10.2); a goodbye (TTL 0) removes a record one second later (§10.1).
 * Caps on the total and per name-and-type keep a flood from growing memory.
 */
import { debuglog } from 'node:util';
import type { Clock, Timer } from './clock.js';
import { nameKey } from './dns-name.js';
import type { MdnsLimits, MdnsTimings } from './engine-options.js';
import { isLinkLocalIPv6 } from './ip-bytes.js';
import { CLASS_IN, type DnsRecord, type RecordData, RRType, typeCode } from './wire-types.js';

const log = debuglog('cfstream:mdns');

/** One cached record. Times are clock milliseconds. */
export interface CacheEntry {
  readonly record: DnsRecord;
  /** The interface the record was heard on, when known. */
  readonly interfaceName: string | undefined;
  readonly receivedAt: number;
  expiresAt: number;
  /** True once a goodbye or a cache flush has doomed it. */
  doomed: boolean;
}

/** A change: a record arrived, was refreshed, or left. */
export interface CacheEvent {
  readonly kind: 'added' | 'refreshed' | 'removed';
  readonly entry: CacheEntry;
}

/** A stable key for a record's data, names folded as RFC 6762 §16 compares them. */
export function rdataKey(data: RecordData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'PTR':
      return nameKey(data.target);
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${nameKey(data.target)}`;
    case 'TXT':
      return data.strings.map((s) => s.toString('hex')).join(' ');
    case 'NSEC':
      return `${nameKey(data.next)} ${data.types.join(',')}`;
    case 'OTHER':
      return data.raw.toString('hex');
  }
}

/** A key naming a record (name, type and data). */
export function recordKey(record: DnsRecord): string {
  return `${nameKey(record.name)}|${typeCode(record.data)}|${rdataKey(record.data)}`;
}

function groupKey(name: string, type: number): string {
  return `${nameKey(name)}|${type}`;
}

/** The record cache of one engine. */
export class RecordCache {
  readonly #groups = new Map<string, Map<string, CacheEntry>>();
  readonly #listeners = new Set<(events: readonly CacheEvent[]) => void>();
  readonly #clock: Clock;
  readonly #limits: MdnsLimits;
  readonly #timings: MdnsTimings;
  #size = 0;
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(clock: Clock, limits: MdnsLimits, timings: MdnsTimings) {
    this.#clock = clock;
    this.#limits = limits;
    this.#timings = timings;
  }

  /** How many records are cached. */
  get size(): number {
    return this.#size;
  }

  /** Listens to changes; each call reports one packet's worth. Returns the unsubscribe function. */
  onChange(listener: (events: readonly CacheEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds the records of one received response (answers and additionals alike). */
  addRecords(records: readonly DnsRecord[], interfaceName: string | undefined): void {
    const now = this.#clock.now();
    const events: CacheEvent[] = [];
    // §10.2: records with the cache-flush bit make older data of their name and type stale.
    const flushed = new Set<string>();
    for (const record of records) {
      if (record.cacheFlush && record.ttl > 0)
        flushed.add(groupKey(record.name, typeCode(record.data)));
    }
    for (const key of flushed) {
      for (const entry of this.#groups.get(key)?.values() ?? []) {
        if (now - entry.receivedAt > 1000 && !entry.doomed) {
          entry.doomed = true;
          entry.expiresAt = Math.min(entry.expiresAt, now + 1000);
        }
      }
    }
    for (const record of records) {
      if (record.rrclass !== CLASS_IN) continue;
      const event = this.#addOne(record, interfaceName, now);
      if (event) events.push(event);
    }
    this.#schedule();
    this.#emit(events);
  }

  #addOne(
    record: DnsRecord,
    interfaceName: string | undefined,
    now: number,
  ): CacheEvent | undefined {
    const key = groupKey(record.name, typeCode(record.data));
    let group = this.#groups.get(key);
    const dataKey = entryKey(record.data, interfaceName);
    const existing = group?.get(dataKey);
    if (record.ttl === 0) {
      // §10.1: a goodbye; keep the record one more second so a late query still sees it.
      if (existing && !existing.doomed) {
        existing.doomed = true;
        existing.expiresAt = now + this.#timings.goodbyeGrace;
        log('goodbye for %s type %d', record.name, typeCode(record.data));
      }
      return undefined;
    }
    const entry: CacheEntry = {
      record,
      interfaceName,
      receivedAt: now,
      expiresAt: now + record.ttl * 1000,
      doomed: false,
    };
    if (group === undefined) {
      group = new Map();
      this.#groups.set(key, group);
    }
    if (existing === undefined) {
      if (group.size >= this.#limits.maxRecordsPerName) this.#evictSoonest(group.values());
      if (this.#size >= this.#limits.maxCacheRecords) this.#evictSoonest(this.#allEntries());
      this.#size += 1;
    }
    group.set(dataKey, entry);
    return { kind: existing ? 'refreshed' : 'added', entry };
  }

  /** Live records of a name and type (RRType.ANY for every type), with their interface. */
  lookup(name: string, type: number): CacheEntry[] {
    const now = this.#clock.now();
    const out: CacheEntry[] = [];
    const groups =
      type === RRType.ANY
        ? [...this.#groups.entries()]
            .filter(([k]) => k.startsWith(`${nameKey(name)}|`))
            .map(([, g]) => g)
        : [this.#groups.get(groupKey(name, type))];
    for (const group of groups) {
      for (const entry of group?.values() ?? []) if (entry.expiresAt > now) out.push(entry);
    }
    return out;
  }

  /** Seconds of TTL an entry has left. */
  remainingTtl(entry: CacheEntry): number {
    return Math.max(0, Math.floor((entry.expiresAt - this.#clock.now()) / 1000));
  }

  /** Forgets everything, without events; for engine shutdown. */
  clear(): void {
    this.#groups.clear();
    this.#size = 0;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  *#allEntries(): Iterable<CacheEntry> {
    for (const group of this.#groups.values()) yield* group.values();
  }

  #evictSoonest(entries: Iterable<CacheEntry>): void {
    let victim: CacheEntry | undefined;
    for (const entry of entries)
      if (victim === undefined || entry.expiresAt < victim.expiresAt) victim = entry;
    if (victim === undefined) return;
    log('cache full: evicting %s', victim.record.name);
    this.#remove(victim);
    this.#emit([{ kind: 'removed', entry: victim }]);
  }

  #remove(entry: CacheEntry): void {
    const key = groupKey(entry.record.name, typeCode(entry.record.data));
    const group = this.#groups.get(key);
    if (group?.delete(entryKey(entry.record.data, entry.interfaceName))) this.#size -= 1;
    if (group?.size === 0) this.#groups.delete(key);
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const events: CacheEvent[] = [];
    for (const entry of [...this.#allEntries()]) {
      if (entry.expiresAt <= now) {
        this.#remove(entry);
        events.push({ kind: 'removed', entry });
      }
    }
    this.#schedule();
    this.#emit(events);
  }

  #schedule(): void {
    let soonest = Number.POSITIVE_INFINITY;
    for (const entry of this.#allEntries()) soonest = Math.min(soonest, entry.expiresAt);
    if (soonest === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = soonest;
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimer(() => this.#expire(), soonest - this.#clock.now());
  }

  #emit(events: readonly CacheEvent[]): void {
    if (events.length === 0) return;
    for (const listener of [...this.#listeners]) listener(events);
  }
}

// A link-local IPv6 address is only meaningful with its interface: keep one entry per link.
function entryKey(data: RecordData, interfaceName: string | undefined): string {
  const base = rdataKey(data);
  return data.type === 'AAAA' && isLinkLocalIPv6(data.address)
    ? `${base}%${interfaceName ?? ''}`
    : base;
}
