/**
 * The record cache (RFC 6762 §10): every answer heard on the link, kept for
 * its TTL. Cache-flush records replace older data of the same name and type
 * (§10.2); a goodbye (TTL 0) removes a record one second later (§10.1).
 * Memory is bounded by byte budgets per source and overall, under which
 * records a live question asked for outlive those nobody asked for
 * (cache-budget.ts); expiry and eviction cost O(log n) per record, so a
 * flood cannot stall the event loop.
 */
import { debuglog } from 'node:util';
import type { Clock } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { isLinkLocalIPv6 } from '../dns/ip-bytes.js';
import { CLASS_IN, type DnsRecord, type RecordData, RRType, typeCode } from '../dns/wire-types.js';
import { ExpiryAlarm } from '../expiry-alarm.js';
import { CacheBudget, recordCost } from './cache-budget.js';
import type { MdnsLimits, MdnsTimings } from './engine-options.js';

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
  /** The address it came from ('' when unknown), charged for its memory. */
  readonly source: string;
  /** Its estimated heap bytes. */
  readonly cost: number;
  /** True when a question asked for it (or it came with such an answer): evicted last. */
  wanted: boolean;
  /** @internal Its keys in the cache (name and type; data and link), kept to spare rebuilding them. */
  readonly groupKey: string;
  /** @internal */
  readonly dataKey: string;
}

/** Whether a live question or lookup wants records of this name and type. */
export type InterestTest = (name: string, type: number) => boolean;

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

// Stamps count up across every cache of the process, so a stamp of one cache never matches another.
let lastStamp = 0;

/** The record cache of one engine. */
export class RecordCache {
  readonly #groups = new Map<string, Map<string, CacheEntry>>();
  // Group keys a cached wanted PTR or SRV points at, with the entries that point (RFC 6763 §12).
  readonly #pointedAt = new Map<string, Set<CacheEntry>>();
  readonly #listeners = new Set<(events: readonly CacheEvent[]) => void>();
  readonly #clock: Clock;
  readonly #timings: MdnsTimings;
  readonly #budget: CacheBudget<CacheEntry>;
  // Every entry by its expiresAt; a slot is stale once its entry is replaced, evicted, or doomed
  // to an earlier time. Its `at` is the soonest expiresAt of any cached entry: no lookup answers
  // differently before it unless the cache is changed, which takes a new stamp.
  readonly #expiry: ExpiryAlarm<CacheEntry>;
  #interest: InterestTest = () => false;
  #size = 0;
  #stamp = ++lastStamp;

  constructor(clock: Clock, limits: MdnsLimits, timings: MdnsTimings) {
    this.#clock = clock;
    this.#timings = timings;
    this.#budget = new CacheBudget(limits);
    this.#expiry = new ExpiryAlarm(
      clock,
      (at, entry) => at === entry.expiresAt && this.#isCurrent(entry),
      () => this.#expire(),
    );
  }

  /** How many records are cached. */
  get size(): number {
    return this.#size;
  }

  /** Estimated heap bytes of the cached records (what the limits bound). */
  get bytes(): number {
    return this.#budget.bytes;
  }

  /** Estimated heap bytes of cached records from one source address. */
  sourceBytes(source: string): number {
    return this.#budget.sourceBytes(source);
  }

  /**
   * A stamp of what every lookup answers now, for callers that keep an answer
   * (a NetService's cached resolution, read at every warm open): while
   * `answersSince(stamp)` holds, no lookup can answer differently.
   */
  get stamp(): number {
    return this.#stamp;
  }

  /**
   * True while nothing has changed since `stamp` was read: no record added,
   * refreshed, doomed (goodbye, cache flush, reconfirmation), evicted or
   * expired, and none has reached its expiry time (lookups leave out
   * records past it before the expiry timer removes them).
   */
  answersSince(stamp: number): boolean {
    return stamp === this.#stamp && this.#clock.now() < this.#expiry.at;
  }

  /** Listens to changes; each call reports one packet's worth. Returns the unsubscribe function. */
  onChange(listener: (events: readonly CacheEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells the cache which records live questions want (the querier's questions). */
  setInterest(test: InterestTest): void {
    this.#interest = test;
  }

  /** A question for this name and type started: its cached records become wanted. */
  promote(name: string, type: number): void {
    for (const entry of this.#groups.get(groupKey(name, type))?.values() ?? []) {
      this.#budget.promote(entry);
      this.#link(entry);
    }
  }

  /**
   * Adds the records of one received response (answers and additionals
   * alike), heard on `interfaceName` from the address `source`.
   */
  addRecords(records: readonly DnsRecord[], interfaceName: string | undefined, source = ''): void {
    // Any response may add, refresh, doom or evict: what lookups answer may change.
    this.#stamp = ++lastStamp;
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
          this.#expiry.push(entry.expiresAt, entry);
        }
      }
    }
    const wanted = this.#wantedIn(records);
    for (const record of records) {
      if (record.rrclass !== CLASS_IN) continue;
      this.#addOne(record, interfaceName, source, wanted.has(record), now, events);
    }
    this.#schedule();
    this.#emit(events);
  }

  /**
   * The records of a packet that a live question wants, and those that come
   * with them (RFC 6763 §12): a wanted PTR's SRV and TXT, a wanted SRV's
   * addresses -- what a resolve asks for next, so it survives a flood too.
   * The PTR or SRV may be in this packet or cached from an earlier one: a
   * responder with many services sends the PTRs first and their SRV, TXT
   * and addresses in the packets after (python-zeroconf does).
   */
  #wantedIn(records: readonly DnsRecord[]): Set<DnsRecord> {
    const wanted = new Set<DnsRecord>();
    // Group keys (name and type) that a wanted record points at.
    const linked = new Set<string>();
    // PTR -> SRV -> address: at most three rounds reach every linked record.
    for (let round = 0; round < 3; round++) {
      const before = wanted.size;
      for (const record of records) {
        if (wanted.has(record)) continue;
        const type = typeCode(record.data);
        if (!this.#interest(record.name, type)) {
          const key = linkable(type) ? groupKey(record.name, type) : undefined;
          if (key === undefined || !(linked.has(key) || this.#pointedAt.has(key))) continue;
        }
        wanted.add(record);
        const { data } = record;
        if (data.type === 'PTR') {
          linked.add(groupKey(data.target, RRType.SRV));
          linked.add(groupKey(data.target, RRType.TXT));
        } else if (data.type === 'SRV') {
          linked.add(groupKey(data.target, RRType.A));
          linked.add(groupKey(data.target, RRType.AAAA));
        }
      }
      if (wanted.size === before || linked.size === 0) break;
    }
    return wanted;
  }

  #addOne(
    record: DnsRecord,
    interfaceName: string | undefined,
    source: string,
    wanted: boolean,
    now: number,
    events: CacheEvent[],
  ): void {
    const key = groupKey(record.name, typeCode(record.data));
    const dataKey = entryKey(record.data, interfaceName);
    const existing = this.#groups.get(key)?.get(dataKey);
    if (record.ttl === 0) {
      // §10.1: a goodbye; keep the record one more second so a late query still sees it.
      if (existing && !existing.doomed) {
        existing.doomed = true;
        existing.expiresAt = now + this.#timings.goodbyeGrace;
        this.#expiry.push(existing.expiresAt, existing);
        log('goodbye for %s type %d', record.name, typeCode(record.data));
      }
      return;
    }
    const entry: CacheEntry = {
      record,
      interfaceName,
      receivedAt: now,
      expiresAt: now + record.ttl * 1000,
      doomed: false,
      source,
      cost: recordCost(record.name, record.data),
      wanted: wanted || existing?.wanted === true,
      groupKey: key,
      dataKey,
    };
    if (existing !== undefined) {
      // A refresh takes the place (and the charge) of the record it renews.
      this.#budget.remove(existing);
    } else if (!this.#admit(entry, events)) {
      log('cache budget: refusing %s type %d from %s', record.name, typeCode(record.data), source);
      return;
    } else {
      this.#size += 1;
    }
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new Map();
      this.#groups.set(key, group);
    }
    group.set(dataKey, entry);
    if (existing !== undefined) this.#unlink(existing);
    this.#link(entry);
    this.#budget.add(entry);
    this.#expiry.push(entry.expiresAt, entry);
    events.push({ kind: existing ? 'refreshed' : 'added', entry });
  }
  /**
   * RFC 6762 §10.4: a record in dispute is doomed (no longer used, nor sent
   * as a known answer) and goes at `at` unless an answer renews it first.
   */
  doubt(entry: CacheEntry, at: number): void {
    if (!this.#isCurrent(entry)) return;
    this.#stamp = ++lastStamp;
    entry.doomed = true;
    if (at >= entry.expiresAt) return;
    entry.expiresAt = at;
    this.#expiry.push(at, entry);
    this.#schedule();
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
    this.#stamp = ++lastStamp;
    this.#groups.clear();
    this.#pointedAt.clear();
    this.#budget.clear();
    this.#expiry.cancel();
    this.#size = 0;
  }

  /** Makes room for a new entry within the budgets; false when it is refused. */
  #admit(entry: CacheEntry, events: CacheEvent[]): boolean {
    const evict = (victim: CacheEntry): void => this.#evict(victim, events);
    if (this.#budget.admit(entry, evict)) return true;
    if (!entry.record.cacheFlush) return false;
    // §10.2: new data of a unique record may take the room of what it flushed (a host at its
    // budget whose address changed), a second early.
    for (const old of [...(this.#groups.get(entry.groupKey)?.values() ?? [])])
      if (old.doomed && old.source === entry.source) evict(old);
    return this.#budget.admit(entry, evict);
  }

  // A wanted PTR or SRV makes what it points at wanted when that comes later (#wantedIn).
  #link(entry: CacheEntry): void {
    if (!entry.wanted) return;
    for (const key of pointsAt(entry.record.data)) {
      let from = this.#pointedAt.get(key);
      if (from === undefined) {
        from = new Set();
        this.#pointedAt.set(key, from);
      }
      from.add(entry);
    }
  }

  #unlink(entry: CacheEntry): void {
    if (!entry.wanted) return;
    for (const key of pointsAt(entry.record.data)) {
      const from = this.#pointedAt.get(key);
      from?.delete(entry);
      if (from?.size === 0) this.#pointedAt.delete(key);
    }
  }

  #evict(victim: CacheEntry, events: CacheEvent[]): void {
    log('cache budget: evicting %s from %s', victim.record.name, victim.source);
    if (this.#remove(victim)) events.push({ kind: 'removed', entry: victim });
  }

  /** True when `entry` is the cached one for its record. */
  #isCurrent(entry: CacheEntry): boolean {
    return this.#groups.get(entry.groupKey)?.get(entry.dataKey) === entry;
  }

  #remove(entry: CacheEntry): boolean {
    const { groupKey: key, dataKey } = entry;
    const group = this.#groups.get(key);
    if (group === undefined || group.get(dataKey) !== entry) return false;
    group.delete(dataKey);
    if (group.size === 0) this.#groups.delete(key);
    this.#unlink(entry);
    this.#size -= 1;
    this.#budget.remove(entry);
    return true;
  }

  #expire(): void {
    const now = this.#clock.now();
    const events: CacheEvent[] = [];
    for (let slot = this.#expiry.popDue(now); slot !== undefined; slot = this.#expiry.popDue(now)) {
      // A slot is stale when its entry was replaced, evicted, or doomed to an earlier time.
      if (slot.item.expiresAt <= now && this.#remove(slot.item))
        events.push({ kind: 'removed', entry: slot.item });
    }
    if (events.length > 0) this.#stamp = ++lastStamp;
    this.#schedule();
    this.#emit(events);
  }

  #schedule(): void {
    // Refreshes leave stale slots behind; past twice the live count they are swept in O(n).
    this.#expiry.sweep(this.#size);
    this.#expiry.rearm();
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

/** The records a PTR or SRV leads to (RFC 6763 §12), as group keys. */
function pointsAt(data: RecordData): string[] {
  if (data.type === 'PTR')
    return [groupKey(data.target, RRType.SRV), groupKey(data.target, RRType.TXT)];
  if (data.type === 'SRV')
    return [groupKey(data.target, RRType.A), groupKey(data.target, RRType.AAAA)];
  return [];
}

/** Types a PTR or SRV can lead to. */
function linkable(type: number): boolean {
  return type === RRType.SRV || type === RRType.TXT || type === RRType.A || type === RRType.AAAA;
}
