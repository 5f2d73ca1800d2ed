/**
 * Reads a unicast DNS message (RFC 1035 §4) with the shared codec's name and
 * RDATA decoders, keeping what the multicast decoder has no use for: where
 * each record starts (TSIG signs the bytes before its own record, RFC 8945
 * §4.3.1), SOA data with its names (they may be compressed against the whole
 * message), and messages up to 65535 bytes (a TCP answer, RFC 7766 §8).
 * Never throws: a damaged message is reported as undefined with the reason.
 */
import { readName } from './dns-name.js';
import { decodeRdata } from './rdata.js';
import { ExtraType, MAX_MESSAGE } from './wire-extra.js';
import type { DnsMessage, DnsQuestion, DnsRecord } from './wire-types.js';

const HEADER = 12;
const MAX_NAME_OCTETS = 255;

/**
 * readName for the common case, about four times faster: every label made of
 * printable ASCII that presentation form shows as itself (no `.`, `\`, no
 * byte below 0x20 or above 0x7E, RFC 1035 §5.1). Names are most of the cost
 * of reading a reply on loopback. Anything else (UTF-8, escapes, a damaged
 * name) goes to the shared readName, which decides and explains; the rules on
 * pointers (strictly backward, RFC 1035 §4.1.4) and length (§3.1) are the same.
 */
export function readNameFast(
  buf: Buffer,
  offset: number,
  names?: NamesRead,
): { name: string; next: number } {
  let name = '';
  let position = offset;
  let next = -1;
  let octets = 1;
  let lowestJump = offset;
  for (;;) {
    if (position >= buf.length) return readName(buf, offset);
    const len = buf[position] as number;
    if (len === 0) {
      position += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (position + 1 >= buf.length) return readName(buf, offset);
      const target = ((len & 0x3f) << 8) | (buf[position + 1] as number);
      if (target >= lowestJump) return readName(buf, offset);
      if (next < 0) next = position + 2;
      // A name read before from `target` obeyed the same rules from there (every pointer below it).
      const known = names?.at(target);
      if (known !== undefined) {
        octets += known.octets - 1;
        if (octets > MAX_NAME_OCTETS) return readName(buf, offset);
        if (known.name.length > 0) name += (name.length === 0 ? '' : '.') + known.name;
        return { name, next };
      }
      lowestJump = target;
      position = target;
      continue;
    }
    octets += len + 1;
    if ((len & 0xc0) !== 0 || position + 1 + len > buf.length || octets > MAX_NAME_OCTETS)
      return readName(buf, offset);
    for (let i = position + 1; i <= position + len; i++) {
      const byte = buf[i] as number;
      if (byte < 0x20 || byte > 0x7e || byte === 0x2e || byte === 0x5c)
        return readName(buf, offset);
    }
    name +=
      (name.length === 0 ? '' : '.') + buf.toString('latin1', position + 1, position + 1 + len);
    position += 1 + len;
  }
  names?.add(offset, name, octets);
  return { name, next: next < 0 ? position : next };
}

/**
 * The names read so far in one message, by the offset where each starts:
 * the owner of an answer usually points at the question's name, an address
 * record's owner at the SRV target; following such a pointer takes the name
 * already read instead of reading its labels again.
 */
export class NamesRead {
  readonly #offsets: number[] = [];
  readonly #names: { readonly name: string; readonly octets: number }[] = [];

  /** The name read from `offset`, with its length on the wire (RFC 1035 §3.1 counts it). */
  at(offset: number): { readonly name: string; readonly octets: number } | undefined {
    const i = this.#offsets.indexOf(offset);
    return i < 0 ? undefined : this.#names[i];
  }

  add(offset: number, name: string, octets: number): void {
    this.#offsets.push(offset);
    this.#names.push({ name, octets });
  }

  /** readNameFast with this message's names. */
  readonly read = (buf: Buffer, offset: number): { name: string; next: number } =>
    readNameFast(buf, offset, this);
}

/** The data of an SOA record (RFC 1035 §3.3.13). */
export interface SoaData {
  readonly primary: string;
  readonly mailbox: string;
  readonly serial: number;
  /** The negative-caching TTL (RFC 2308 §4). */
  readonly minimum: number;
}

/** A record and where it lies in the message. */
export interface PlacedRecord {
  readonly record: DnsRecord;
  /** Offset of the record's first byte (its owner name). */
  readonly start: number;
  readonly rdataStart: number;
  readonly rdataEnd: number;
  /** Decoded SOA data for an SOA record. */
  readonly soa?: SoaData;
}

/** A decoded message with its records' places, or the reason it was refused. */
export type ReadResult =
  | {
      readonly ok: true;
      readonly message: DnsMessage;
      readonly placed: readonly PlacedRecord[];
    }
  | { readonly ok: false; readonly problem: string };

function readSoa(buf: Buffer, start: number, end: number): SoaData {
  const primary = readName(buf, start);
  const mailbox = readName(buf, primary.next);
  if (mailbox.next + 20 !== end) throw new Error('SOA of the wrong length');
  return {
    primary: primary.name,
    mailbox: mailbox.name,
    serial: buf.readUInt32BE(mailbox.next),
    minimum: buf.readUInt32BE(mailbox.next + 16),
  };
}

/** Decodes a whole message; never throws. */
export function readMessage(buf: Buffer): ReadResult {
  if (buf.length < HEADER)
    return { ok: false, problem: `${buf.length}-byte message has no header` };
  if (buf.length > MAX_MESSAGE) return { ok: false, problem: `${buf.length}-byte message` };
  try {
    const names = new NamesRead();
    const questionCount = buf.readUInt16BE(4);
    let offset = HEADER;
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < questionCount; i++) {
      const { name, next } = readNameFast(buf, offset, names);
      if (next + 4 > buf.length) throw new Error('question runs past the end');
      questions.push({
        name,
        type: buf.readUInt16BE(next),
        rrclass: buf.readUInt16BE(next + 2),
        unicastResponse: false,
      });
      offset = next + 4;
    }
    const sections: [DnsRecord[], DnsRecord[], DnsRecord[]] = [[], [], []];
    const placed: PlacedRecord[] = [];
    for (let s = 0; s < 3; s++) {
      const count = buf.readUInt16BE(6 + 2 * s);
      const section = sections[s] as DnsRecord[];
      for (let i = 0; i < count; i++) {
        const start = offset;
        const { name, next } = readNameFast(buf, offset, names);
        if (next + 10 > buf.length) throw new Error(`record ${s}.${i} header runs past the end`);
        const type = buf.readUInt16BE(next);
        const rrclass = buf.readUInt16BE(next + 2);
        const ttl = buf.readUInt32BE(next + 4);
        const rdataStart = next + 10;
        const rdataEnd = rdataStart + buf.readUInt16BE(next + 8);
        if (rdataEnd > buf.length) throw new Error(`record ${s}.${i} RDATA runs past the end`);
        offset = rdataEnd;
        // Unicast DNS has no cache-flush bit: the class is the whole field (UPDATE uses 254, 255).
        const record: DnsRecord = {
          name,
          rrclass,
          cacheFlush: false,
          ttl,
          data: decodeRdata(buf, type, rdataStart, rdataEnd, names.read),
        };
        section.push(record);
        placed.push(
          type === ExtraType.SOA && rdataEnd > rdataStart
            ? { record, start, rdataStart, rdataEnd, soa: readSoa(buf, rdataStart, rdataEnd) }
            : { record, start, rdataStart, rdataEnd },
        );
      }
    }
    if (offset !== buf.length)
      throw new Error(`${buf.length - offset} bytes after the last record`);
    const [answers, authorities, additionals] = sections;
    return {
      ok: true,
      message: {
        id: buf.readUInt16BE(0),
        flags: buf.readUInt16BE(2),
        questions,
        answers,
        authorities,
        additionals,
      },
      placed,
    };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}
