/**
 * fast-check generators for DNS messages (RFC 1035 §4, RFC 6762 §18) and
 * hostile variants of their bytes, shared by the codec and engine
 * properties. Labels favour the characters the presentation form escapes
 * (`.`, `\`, control bytes: RFC 6763 §4.3) and multi-byte UTF-8; names share
 * suffixes so that compression pointers (RFC 1035 §4.1.4) are exercised.
 */
import fc from 'fast-check';
import {
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  encodePacket,
  joinName,
  MAX_DATAGRAM,
  type RecordData,
  RRType,
} from '../../src/mdns/index.js';
import { wireEncode } from './wire-encoder.js';

const SPECIAL = ['.', '\\', ' ', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '-', '_', '0', '9'];

const labelChar = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL, '\uFEFF') },
  {
    weight: 5,
    arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

/** One label of 1 to 63 octets of UTF-8. */
export const label: fc.Arbitrary<string> = fc
  .string({ unit: labelChar, minLength: 1, maxLength: 20 })
  .filter((text) => {
    const octets = Buffer.byteLength(text, 'utf8');
    return octets >= 1 && octets <= 63;
  });

const suffixes = [['local'], ['_http', '_tcp', 'local'], ['_x', '_udp', 'local'], []] as const;

/** A presentation-form name of at most 255 octets on the wire, often under a common suffix. */
export const dnsName: fc.Arbitrary<string> = fc
  .tuple(fc.array(label, { minLength: 0, maxLength: 4 }), fc.constantFrom(...suffixes))
  .map(([head, tail]) => [...head, ...tail])
  .filter((labels) => labels.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 1) <= 255)
  .map((labels) => joinName(labels));

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const known = new Set<number>(Object.values(RRType));

/** IPv6 text in the codec's own form (RFC 5952): the form `new URL` gives. */
const ipv6 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => canonicalIPv6(Buffer.from(bytes)));

/** RFC 5952 text for 16 bytes, through the WHATWG URL parser. */
export function canonicalIPv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** Record data of every type the codec knows, plus unknown types kept raw; names from `names`. */
export function recordDataOf(names: fc.Arbitrary<string>): fc.Arbitrary<RecordData> {
  return fc.oneof(
    fc.ipV4().map((address): RecordData => ({ type: 'A', address })),
    ipv6.map((address): RecordData => ({ type: 'AAAA', address })),
    names.map((target): RecordData => ({ type: 'PTR', target })),
    fc
      .record({ priority: u16, weight: u16, port: u16, target: names })
      .map((srv): RecordData => ({ type: 'SRV', ...srv })),
    fc
      .array(fc.uint8Array({ maxLength: 120 }), { maxLength: 4 })
      .map((strings): RecordData => ({ type: 'TXT', strings: strings.map((s) => Buffer.from(s)) })),
    fc
      .record({ next: names, types: fc.uniqueArray(u16, { maxLength: 12 }) })
      .map((nsec): RecordData => ({ type: 'NSEC', ...nsec })),
    fc
      .record({
        code: u16.filter((code) => !known.has(code)),
        raw: fc.uint8Array({ maxLength: 64 }),
      })
      .map(
        (other): RecordData => ({ type: 'OTHER', code: other.code, raw: Buffer.from(other.raw) }),
      ),
  );
}

/** A resource record with any class, flush bit and TTL; names from `names`. */
export function recordOf(names: fc.Arbitrary<string>): fc.Arbitrary<DnsRecord> {
  return fc.record({
    name: names,
    rrclass: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0x7fff })),
    cacheFlush: fc.boolean(),
    ttl: fc.oneof(fc.constantFrom(0, 1, 120, 4500), u32),
    data: recordDataOf(names),
  });
}

/** A question of any type and class; names from `names`. */
export function questionOf(names: fc.Arbitrary<string>): fc.Arbitrary<DnsQuestion> {
  return fc.record({
    name: names,
    type: fc.oneof(fc.constantFrom(...known), u16),
    rrclass: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0x7fff })),
    unicastResponse: fc.boolean(),
  });
}

/** A message whose encoding fits one datagram; names from `names`. */
export function messageOf(names: fc.Arbitrary<string>): fc.Arbitrary<DnsMessage> {
  const record = recordOf(names);
  return fc
    .record({
      id: u16,
      flags: fc.oneof(fc.constantFrom(0, 0x8400, 0x8000, 0x0200), u16),
      questions: fc.array(questionOf(names), { maxLength: 3 }),
      answers: fc.array(record, { maxLength: 5 }),
      authorities: fc.array(record, { maxLength: 2 }),
      additionals: fc.array(record, { maxLength: 3 }),
    })
    .filter((message) => wireEncode(message).length <= MAX_DATAGRAM);
}

/** A message of any names. */
export const dnsMessage: fc.Arbitrary<DnsMessage> = messageOf(dnsName);

type Edit =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'pointer'; at: number; target: number };

/** Edits of bytes: set a byte, cut the end, insert bytes, write a compression pointer. */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  // Pointer bytes are the most interesting single edit: 0xC0 | high bits, then an offset.
  fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), target: fc.nat(0x3fff) }),
);

function applyEdits(bytes: Buffer, edits: readonly Edit[]): Buffer {
  let out = Buffer.from(bytes);
  for (const e of edits) {
    if (out.length === 0) break;
    const at = e.at % out.length;
    if (e.kind === 'set') out[at] = e.value;
    else if (e.kind === 'cut') out = out.subarray(0, at);
    else if (e.kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from(e.bytes), out.subarray(at)]);
    else if (at + 1 < out.length) {
      out[at] = 0xc0 | (e.target >> 8);
      out[at + 1] = e.target & 0xff;
    }
  }
  return out;
}

/** A valid message as bytes: compressed by the codec, or uncompressed by the test's own encoder. */
export function bytesOf(messages: fc.Arbitrary<DnsMessage>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(messages, fc.boolean())
    .map(([m, compressed]) => (compressed ? encodePacketOrWire(m) : wireEncode(m)));
}
const messageBytes = bytesOf(dnsMessage);

// The codec's encoder refuses some names the wire can carry.
function encodePacketOrWire(m: DnsMessage): Buffer {
  try {
    return encodePacket(m);
  } catch {
    return wireEncode(m);
  }
}

/** Hostile datagrams from `valid`: random bytes, valid ones, and valid ones with a few edits. */
export function hostileFrom(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: valid },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.array(edit, { minLength: 1, maxLength: 6 }))
        .map(([bytes, edits]) => applyEdits(bytes, edits)),
    },
  );
}

/** Hostile datagrams of any names. */
export const hostileBytes: fc.Arbitrary<Buffer> = hostileFrom(messageBytes);
