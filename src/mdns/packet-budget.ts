/**
 * Fills one outgoing packet up to a byte limit (RFC 6762 §17) without
 * encoding it again for every record: a record's uncompressed size bounds
 * what it adds, and only when that bound says "no" is the packet encoded to
 * learn whether name compression makes it fit. A record is in a packet
 * whole or not at all; the decoder of a peer never sees a cut record.
 * Records that cannot be encoded at all are the caller's to keep out (the
 * responder refuses them at registration); one met while measuring is refused.
 */
import { debuglog } from 'node:util';
import { encodePacket } from './packet-codec.js';
import { type DnsMessage, type DnsRecord, makeMessage } from './wire-types.js';

const log = debuglog('cfstream:mdns');
/** RFC 1035 §4.1.3: TYPE, CLASS, TTL and RDLENGTH. */
const RECORD_FIXED = 10;
/** The smallest a record can be: a compression pointer for its name and no RDATA. */
const RECORD_MIN = 2 + RECORD_FIXED;
/** After this many records that did not fit, the packet counts as full. */
const MISSES_BEFORE_FULL = 4;

/** Which section a record joins. */
export type Section = 'answers' | 'authorities' | 'additionals';

/**
 * At most what a name takes uncompressed: its presentation form is never
 * shorter than its labels (an escape stands for one byte), plus the first
 * length byte and the root.
 */
function nameBound(name: string): number {
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

  /** `base` gives the header and questions (its record sections are ignored). */
  constructor(base: DnsMessage, limit: number) {
    this.#base = base;
    this.#limit = limit;
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

  /** Adds `record` to `section` if the packet stays within its limit; false (and no change) otherwise. */
  add(record: DnsRecord, section: Section): boolean {
    if (this.#misses >= MISSES_BEFORE_FULL) return false;
    const bound = recordSizeBound(record);
    const list = this.#sections[section];
    if (this.#measured + this.#unmeasured + bound <= this.#limit) {
      list.push(record);
      this.#unmeasured += bound;
      return true;
    }
    if (this.#unmeasured > 0) {
      this.#measured = this.#measure() ?? this.#limit;
      this.#unmeasured = 0;
    }
    if (this.#measured + RECORD_MIN <= this.#limit) {
      list.push(record);
      const size = this.#measure();
      if (size !== undefined && size <= this.#limit) {
        this.#measured = size;
        return true;
      }
      list.pop();
    }
    this.#misses += 1;
    return false;
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

  /** The packet as filled so far. */
  message(): DnsMessage {
    return makeMessage({
      ...this.#base,
      answers: [...this.#sections.answers],
      authorities: [...this.#sections.authorities],
      additionals: [...this.#sections.additionals],
    });
  }
}
