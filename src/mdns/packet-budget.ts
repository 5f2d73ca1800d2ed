/**
 * Fills one outgoing packet up to a byte limit (RFC 6762 §17) without
 * encoding it again for every record: what a record adds is bounded from
 * above without encoding it (its size with no compression, less what the
 * names already written save: a name ending in one of them is a pointer
 * after its other labels, RFC 1035 §4.1.4), and only when that bound says
 * "no" is the packet encoded to learn whether it fits after all. A record is in a packet
 * whole or not at all; the decoder of a peer never sees a cut record.
 * Records that cannot be encoded at all are the caller's to keep out (the
 * responder refuses them at registration); one met while measuring is refused.
 */
import { debuglog } from 'node:util';
import { nameKey } from '../dns/dns-name.js';
import { encodePacket } from '../dns/packet-codec.js';
import { type DnsMessage, type DnsRecord, makeMessage } from '../dns/wire-types.js';

const log = debuglog('cfstream:mdns');
/** RFC 1035 §4.1.3: TYPE, CLASS, TTL and RDLENGTH. */
export const RECORD_FIXED = 10;
/** The smallest a record can be: a compression pointer for its name and no RDATA. */
const RECORD_MIN = 2 + RECORD_FIXED;
/** After this many records that did not fit, the packet counts as full. */
const MISSES_BEFORE_FULL = 4;

/** Which section a record joins. */
export type Section = 'answers' | 'authorities' | 'additionals';
const SECTION_ORDER: Record<Section, number> = { answers: 0, authorities: 1, additionals: 2 };

/**
 * At most what a name takes uncompressed: its presentation form is never
 * shorter than its labels (an escape stands for one byte), plus the first
 * length byte and the root.
 */
export function nameBound(name: string): number {
  return Buffer.byteLength(name, 'utf8') + 2;
}

/** At most what `record` adds to a packet: its size with no compression, found without encoding it. */
export function recordSizeBound(record: DnsRecord): number {
  const data = record.data;
  let rdata: number;
  switch (data.type) {
    case 'A':
      rdata = 4;
      break;
    case 'AAAA':
      rdata = 16;
      break;
    case 'PTR':
      rdata = nameBound(data.target);
      break;
    case 'SRV':
      rdata = 6 + nameBound(data.target);
      break;
    case 'TXT':
      rdata = Math.max(
        1,
        data.strings.reduce((sum, s) => sum + 1 + s.length, 0),
      );
      break;
    case 'NSEC':
      // RFC 4034 §4.1.2: per window of 256 types, a window byte, a length byte and up to 32 bytes.
      rdata = nameBound(data.next) + 34 * new Set(data.types.map((t) => t >> 8)).size;
      break;
    case 'OTHER':
      rdata = data.raw.length;
      break;
  }
  return nameBound(record.name) + RECORD_FIXED + rdata;
}

/**
 * The suffixes of a presentation-form name, longest first, each with the
 * presentation text before it ("a.b.c": ["a.b.c", ""], ["b.c", "a."], ["c", "a.b."]).
 * A dot after a backslash is inside a label.
 */
export function suffixes(name: string): [suffix: string, before: string][] {
  const out: [string, string][] = [[name, '']];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i += 1;
    else if (name[i] === '.' && i + 1 < name.length)
      out.push([name.slice(i + 1), name.slice(0, i + 1)]);
  }
  return out;
}

/** One packet being filled, never past `limit` bytes of DNS message. */
export class PacketBudget {
  readonly #limit: number;
  readonly #sections: Record<Section, DnsRecord[]> = {
    answers: [],
    authorities: [],
    additionals: [],
  };
  readonly #base: DnsMessage;
  // The encoded size as last measured, and the most the records added since can have grown it.
  #measured: number;
  #unmeasured = 0;
  #misses = 0;
  #lastSection = 0;
  // Every name (and suffix of one) written with compression so far: the encoder points to
  // these (RFC 1035 §4.1.4), so a name ending in one costs at most its other labels and 2 bytes.
  readonly #written = new Set<string>();

  /** `base` gives the header and questions (its record sections are ignored). */
  constructor(base: DnsMessage, limit: number) {
    this.#base = base;
    this.#limit = limit;
    for (const q of base.questions) this.#learn(q.name);
    const size = this.#measure();
    this.#measured = size ?? Number.POSITIVE_INFINITY;
    // Questions that cannot be encoded, or do not fit alone, leave no room for any record.
    if (size === undefined || size > limit) this.#misses = MISSES_BEFORE_FULL;
  }

  /** True when no record has been added. */
  get empty(): boolean {
    const s = this.#sections;
    return s.answers.length + s.authorities.length + s.additionals.length === 0;
  }

  /**
   * Adds `record` to `section` if the packet stays within its limit; false
   * (and no change) otherwise. Sections fill in wire order (answers,
   * authorities, additionals), so that what a record may point to is
   * already written before it.
   */
  add(record: DnsRecord, section: Section): boolean {
    const order = SECTION_ORDER[section];
    if (order < this.#lastSection) throw new Error(`${section} added after a later section`);
    if (this.#misses >= MISSES_BEFORE_FULL) return false;
    const list = this.#sections[section];
    if (this.#measured + this.#unmeasured + this.#bound(record) <= this.#limit) {
      this.#unmeasured += this.#bound(record);
      this.#accept(record, list, order);
      return true;
    }
    if (this.#unmeasured > 0) {
      this.#measured = this.#measure() ?? this.#limit;
      this.#unmeasured = 0;
    }
    if (this.#measured + RECORD_MIN <= this.#limit) {
      list.push(record);
      const size = this.#measure();
      list.pop();
      if (size !== undefined && size <= this.#limit) {
        this.#measured = size;
        this.#accept(record, list, order);
        return true;
      }
    }
    this.#misses += 1;
    return false;
  }

  /** The packet as filled so far. */
  message(): DnsMessage {
    return makeMessage({
      ...this.#base,
      answers: [...this.#sections.answers],
      authorities: [...this.#sections.authorities],
      additionals: [...this.#sections.additionals],
    });
  }

  #accept(record: DnsRecord, list: DnsRecord[], order: number): void {
    list.push(record);
    this.#lastSection = order;
    this.#learn(record.name);
    if (record.data.type === 'PTR' || record.data.type === 'SRV') this.#learn(record.data.target);
  }

  #learn(name: string): void {
    for (const [suffix] of suffixes(name)) this.#written.add(nameKey(suffix));
  }

  // At most what `name` takes here: a pointer after the labels before its longest written suffix.
  #nameBound(name: string): number {
    for (const [suffix, before] of suffixes(name))
      if (this.#written.has(nameKey(suffix))) return Buffer.byteLength(before, 'utf8') + 2;
    return nameBound(name);
  }

  // At most what `record` adds to this packet.
  #bound(record: DnsRecord): number {
    const data = record.data;
    const rdata =
      data.type === 'PTR'
        ? this.#nameBound(data.target)
        : data.type === 'SRV'
          ? 6 + this.#nameBound(data.target)
          : recordSizeBound(record) - nameBound(record.name) - RECORD_FIXED;
    return this.#nameBound(record.name) + RECORD_FIXED + rdata;
  }

  // The exact encoded size; undefined if some record cannot be encoded (it is then refused).
  #measure(): number | undefined {
    try {
      return encodePacket(this.message()).length;
    } catch (error) {
      log('cannot encode a response record: %s', (error as Error).message);
      return undefined;
    }
  }
}
