/**
 * Answers kept as long as their TTLs allow (RFC 1035 §3.2.1), negative answers
 * (NXDOMAIN, no data) as long as the SOA in their authority section allows
 * (RFC 2308 §5: the lesser of the SOA's TTL and its MINIMUM), and never more
 * than a bounded number of entries: the least recently used goes first. A
 * negative answer remembers its zone (the owner of that SOA).
 */
import type { Clock } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import type { DnsRecord } from '../dns/wire-types.js';

/** A cached answer: records, or the negative kind. */
export type CachedAnswer =
  | {
      readonly kind: 'records';
      readonly records: readonly DnsRecord[];
      readonly additionals: readonly DnsRecord[];
    }
  | { readonly kind: 'nxdomain'; readonly zone?: string }
  | { readonly kind: 'nodata'; readonly zone?: string };

interface Entry {
  readonly answer: CachedAnswer;
  readonly expiresAt: number;
  readonly storedAt: number;
}

/** The key of a question (name, type): the name's comparison key and the type. */
export function questionKey(name: string, type: number): string {
  return `${nameKey(name)}/${type}`;
}

/** The default bound on entries. */
export const DEFAULT_CACHE_ENTRIES = 4096;

/** A TTL-bounded cache of answers by (name, type). */
export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #limit: number;

  constructor(clock: Clock, limit = DEFAULT_CACHE_ENTRIES) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** The live answer for (name, type), with the records' TTLs counted down; undefined when absent or expired. */
  get(name: string, type: number, key = questionKey(name, type)): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#clock.now();
    if (now >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    // Least recently used goes first: a hit moves to the back.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (entry.answer.kind !== 'records') return entry.answer;
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    const age = (r: DnsRecord): DnsRecord => ({ ...r, ttl: Math.max(0, r.ttl - elapsed) });
    return {
      kind: 'records',
      records: entry.answer.records.map(age),
      additionals: entry.answer.additionals.map(age),
    };
  }

  /** Stores an answer for `ttlSeconds` (0 stores nothing, RFC 1035 §3.2.1). */
  put(
    name: string,
    type: number,
    answer: CachedAnswer,
    ttlSeconds: number,
    key = questionKey(name, type),
  ): void {
    if (!(ttlSeconds > 0)) return;
    const now = this.#clock.now();
    this.#entries.delete(key);
    this.#entries.set(key, { answer, storedAt: now, expiresAt: now + ttlSeconds * 1000 });
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets (name, type), so the next lookup asks the server. */
  forget(name: string, type: number): void {
    this.#entries.delete(questionKey(name, type));
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
