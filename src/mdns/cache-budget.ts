/**
 * The record cache's memory budget. A record some live question asked for
 * (or that came linked to such an answer, RFC 6763 §12) is "wanted"; any
 * other record is "unsolicited". Each is charged an estimate of its heap
 * cost to the address it came from. Unsolicited records have a small budget
 * per source and overall and go first, oldest first, so a flood of records
 * nobody asked for only ever pushes out other such records. Wanted records
 * share the whole budget: past its own per-source budget a source's new
 * records are refused (what it already holds stays put, so a browse of a
 * huge type does not flap), and past the overall budget the oldest go.
 * Every step is O(1): insertion-ordered sets are the LRU lists.
 */

import type { RecordData } from '../dns/wire-types.js';
import type { MdnsLimits } from './engine-options.js';

/**
 * Heap bytes of a cached record beyond its name and data: the entry, the
 * record and data objects, and their slots in the cache's maps, sets and
 * expiry heap (measured on Node 20, x64; see docs/performance.md).
 */
const ENTRY_OVERHEAD = 420;
/** Heap bytes of one Buffer object beyond its bytes (a TXT string, raw RDATA). */
const BUFFER_OVERHEAD = 96;

/** Heap bytes of a string's characters (two a character at most). */
const text = (s: string): number => 2 * s.length;

/** An estimate of the heap a record of this name and data costs in the cache. */
export function recordCost(name: string, data: RecordData): number {
  let body: number;
  switch (data.type) {
    case 'A':
    case 'AAAA':
      body = text(data.address);
      break;
    case 'PTR':
    case 'SRV':
      body = text(data.target);
      break;
    case 'TXT':
      body = data.strings.reduce((sum, s) => sum + BUFFER_OVERHEAD + s.length, 0);
      break;
    case 'NSEC':
      body = text(data.next) + 8 * data.types.length;
      break;
    case 'OTHER':
      body = BUFFER_OVERHEAD + data.raw.length;
      break;
  }
  // The name is held twice: by the record, and (folded) in the group key.
  return ENTRY_OVERHEAD + 2 * text(name) + body;
}

/** What the budget needs to know of a cached entry. */
export interface Budgeted {
  /** The address it came from ('' when unknown). */
  readonly source: string;
  /** Its estimated heap bytes (recordCost). */
  readonly cost: number;
  /** True once a question asked for it. */
  wanted: boolean;
}

interface SourceUsage<E> {
  bytes: number;
  unsolicitedBytes: number;
  /** This source's unsolicited entries, oldest first. */
  readonly unsolicited: Set<E>;
}

/** The first (oldest) member of an insertion-ordered set. */
function oldest<E>(set: Set<E> | undefined): E | undefined {
  if (set === undefined) return undefined;
  for (const entry of set) return entry;
  return undefined;
}

/** Byte accounting and eviction order of the record cache. */
export class CacheBudget<E extends Budgeted> {
  readonly #limits: MdnsLimits;
  readonly #wanted = new Set<E>();
  readonly #unsolicited = new Set<E>();
  readonly #sources = new Map<string, SourceUsage<E>>();
  #bytes = 0;
  #unsolicitedBytes = 0;

  constructor(limits: MdnsLimits) {
    this.#limits = limits;
  }

  /** Estimated bytes of every entry held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Estimated bytes of the unsolicited entries. */
  get unsolicitedBytes(): number {
    return this.#unsolicitedBytes;
  }

  /** Estimated bytes charged to one source address. */
  sourceBytes(source: string): number {
    return this.#sources.get(source)?.bytes ?? 0;
  }

  /**
   * Makes room for `entry` (not yet added) by calling `evict` on the entries
   * that must go (each must end in `remove`); false when it cannot come in.
   */
  admit(entry: E, evict: (victim: E) => void): boolean {
    const limits = this.#limits;
    const { cost, wanted } = entry;
    if (
      cost > limits.maxBytesPerSource ||
      cost > limits.maxCacheBytes ||
      (!wanted && (cost > limits.maxUnsolicitedBytesPerSource || cost > limits.maxUnsolicitedBytes))
    )
      return false;
    const usage = this.#sources.get(entry.source);
    // Per source: its own unsolicited records make room first; past that, it gets no more.
    while (
      usage !== undefined &&
      (usage.bytes + cost > limits.maxBytesPerSource ||
        (!wanted && usage.unsolicitedBytes + cost > limits.maxUnsolicitedBytesPerSource))
    ) {
      const victim = oldest(usage.unsolicited);
      if (victim === undefined) return false;
      evict(victim);
    }
    // Overall: unsolicited records go first, oldest first; only a wanted record pushes out wanted ones.
    while (!wanted && this.#unsolicitedBytes + cost > limits.maxUnsolicitedBytes) {
      const victim = oldest(this.#unsolicited);
      if (victim === undefined) return false;
      evict(victim);
    }
    while (this.#bytes + cost > limits.maxCacheBytes) {
      const victim = oldest(this.#unsolicited) ?? (wanted ? oldest(this.#wanted) : undefined);
      if (victim === undefined) return false;
      evict(victim);
    }
    return true;
  }

  /** Charges an entry (admitted, or replacing one of the same record) as the newest. */
  add(entry: E): void {
    let usage = this.#sources.get(entry.source);
    if (usage === undefined) {
      usage = { bytes: 0, unsolicitedBytes: 0, unsolicited: new Set() };
      this.#sources.set(entry.source, usage);
    }
    usage.bytes += entry.cost;
    this.#bytes += entry.cost;
    if (entry.wanted) {
      this.#wanted.add(entry);
    } else {
      usage.unsolicited.add(entry);
      usage.unsolicitedBytes += entry.cost;
      this.#unsolicited.add(entry);
      this.#unsolicitedBytes += entry.cost;
    }
  }

  /** Releases an entry's charge. */
  remove(entry: E): void {
    const usage = this.#sources.get(entry.source);
    if (entry.wanted) {
      if (!this.#wanted.delete(entry)) return;
    } else {
      if (!this.#unsolicited.delete(entry)) return;
      this.#unsolicitedBytes -= entry.cost;
      if (usage !== undefined) {
        usage.unsolicited.delete(entry);
        usage.unsolicitedBytes -= entry.cost;
      }
    }
    this.#bytes -= entry.cost;
    if (usage !== undefined) {
      usage.bytes -= entry.cost;
      if (usage.bytes <= 0) this.#sources.delete(entry.source);
    }
  }

  /** A question now asks for an unsolicited entry: it becomes wanted (same charge). */
  promote(entry: E): void {
    if (entry.wanted || !this.#unsolicited.has(entry)) return;
    this.remove(entry);
    entry.wanted = true;
    this.add(entry);
  }

  /** Forgets every charge. */
  clear(): void {
    this.#wanted.clear();
    this.#unsolicited.clear();
    this.#sources.clear();
    this.#bytes = 0;
    this.#unsolicitedBytes = 0;
  }
}
