/**
 * The socket-free half of a DNS exchange: building a query, and judging each
 * reply that arrives. A reply counts only when it comes from the server asked
 * (address and port), carries the query's ID and opcode, and echoes its
 * question (RFC 5452 §4, RFC 1035 §7.3); anything else is dropped with a
 * reason and the wait goes on. A truncated UDP answer means "ask again over
 * TCP" (RFC 7766 §5). The driver (exchange.ts) owns sockets and timers.
 */
import { randomInt } from 'node:crypto';
import { nameKey } from '../dns/dns-name.js';
import { type ReadResult, readMessage } from '../dns/message-reader.js';
import { encodePacket } from '../dns/packet-codec.js';
import { EDNS_UDP_SIZE, HeaderBit, Opcode, opcodeOf } from '../dns/wire-extra.js';
import { type DnsQuestion, type DnsRecord, Flag, makeMessage } from '../dns/wire-types.js';

/** A DNS server by literal address and port. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** What a reply must match. */
export interface Expectation {
  readonly id: number;
  readonly opcode: number;
  readonly question: { readonly name: string; readonly type: number; readonly rrclass: number };
  readonly server: ServerAddress;
}

/** The verdict on one arriving message. */
export type Verdict =
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'answer'; readonly read: Extract<ReadResult, { ok: true }> };

/** A fresh random message ID (RFC 5452 §4.3: unpredictable IDs resist spoofing). */
export function newMessageId(): number {
  return randomInt(0, 0x10000);
}

/** RFC 6891 §6.1.2: the OPT pseudo-record advertising our UDP payload size. */
export function optRecord(size = EDNS_UDP_SIZE): DnsRecord {
  return {
    name: '',
    rrclass: size,
    cacheFlush: false,
    ttl: 0,
    data: { type: 'OTHER', code: 41, raw: Buffer.alloc(0) },
  };
}

// Encoding a name costs more than the rest of a query's trip on loopback (about 18 µs): the
// questions a browse or a resolve repeats are kept encoded, and only the ID changes.
const encodedQueries = new Map<string, Buffer>();
const ENCODED_QUERIES_KEPT = 256;

/** A standard query for one name and type, with RD (the server may be a recursive resolver) and EDNS0. */
export function buildQuery(id: number, name: string, type: number, edns = true): Buffer {
  const key = `${type}/${edns ? 'e' : ''}/${name}`;
  let template = encodedQueries.get(key);
  if (template === undefined) {
    const question: DnsQuestion = { name, type, rrclass: 1, unicastResponse: false };
    template = encodePacket(
      makeMessage({
        flags: HeaderBit.RD,
        questions: [question],
        additionals: edns ? [optRecord()] : [],
      }),
    );
    if (encodedQueries.size >= ENCODED_QUERIES_KEPT) encodedQueries.clear();
    encodedQueries.set(key, template);
  }
  // A copy of the template (allocUnsafe: every byte is overwritten) with the ID in front.
  const query = Buffer.allocUnsafe(template.length);
  template.copy(query, 2, 2);
  query.writeUInt16BE(id, 0);
  return query;
}

function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (h: string): string => h.replace(/^::ffff:/i, '').toLowerCase();
  return strip(a) === strip(b);
}

/**
 * True when the reply's one question is the one `asked` (the query sent)
 * carries, byte for byte but for the case of ASCII letters in its labels
 * (RFC 5452 §4.1; RFC 4343: only ASCII letters fold). A yes here is a yes of
 * the decoded comparison too; anything else (a compressed question, another
 * case beyond ASCII, damage) is left to that comparison, which decides.
 */
export function echoesQuestion(asked: Buffer, reply: Buffer): boolean {
  if (asked.length < 12 || reply.length < 12) return false;
  if (asked.readUInt16BE(4) !== 1 || reply.readUInt16BE(4) !== 1) return false;
  let at = 12;
  for (;;) {
    if (at >= asked.length || at >= reply.length) return false;
    const length = asked[at] as number;
    // Our own queries are uncompressed; a length byte must match exactly (0x41 is no length).
    if (length > 63 || reply[at] !== length) return false;
    if (length === 0) break;
    const end = at + 1 + length;
    if (end > asked.length || end > reply.length) return false;
    for (let i = at + 1; i < end; i++) {
      const a = asked[i] as number;
      const b = reply[i] as number;
      if (a === b) continue;
      const folded = a | 0x20;
      // Only A-Z and a-z differ by the 0x20 bit alone and are the same letter.
      if (folded !== (b | 0x20) || folded < 0x61 || folded > 0x7a) return false;
    }
    at = end;
  }
  // Type and class, exactly.
  at += 1;
  if (at + 4 > asked.length || at + 4 > reply.length) return false;
  return asked.readUInt32BE(at) === reply.readUInt32BE(at);
}

/**
 * Judges one message received for `expected`: from `from` (undefined over TCP,
 * where the connection itself names the peer). With `asked`, the query sent,
 * the question is first compared by its bytes (echoesQuestion); the decoded
 * comparison decides whatever those bytes do not settle.
 */
export function judgeReply(
  expected: Expectation,
  bytes: Buffer,
  from: ServerAddress | undefined,
  asked?: Buffer,
): Verdict {
  if (from !== undefined) {
    if (from.port !== expected.server.port || !sameHost(from.host, expected.server.host))
      return { kind: 'drop', reason: `reply from ${from.host}:${from.port}, not the server asked` };
  }
  if (bytes.length >= 2 && bytes.readUInt16BE(0) !== expected.id)
    return { kind: 'drop', reason: `reply with ID ${bytes.readUInt16BE(0)}, not ${expected.id}` };
  if (bytes.length >= 4 && (bytes.readUInt16BE(2) & Flag.TC) !== 0 && from !== undefined) {
    // RFC 7766 §5: what a truncated answer holds may be partial; only the bit counts.
    return { kind: 'truncated' };
  }
  const read = readMessage(bytes);
  if (!read.ok) return { kind: 'drop', reason: read.problem };
  const { message } = read;
  if ((message.flags & Flag.QR) === 0) return { kind: 'drop', reason: 'a query, not a reply' };
  if (opcodeOf(message.flags) !== expected.opcode)
    return { kind: 'drop', reason: `opcode ${opcodeOf(message.flags)}, not ${expected.opcode}` };
  if (asked !== undefined && echoesQuestion(asked, bytes)) return { kind: 'answer', read };
  // RFC 2136 §3.8: an UPDATE reply may echo the zone section or leave it out; a query's must match.
  if (message.questions.length === 0 && expected.opcode === Opcode.UPDATE)
    return { kind: 'answer', read };
  const question = message.questions[0];
  if (
    message.questions.length !== 1 ||
    question === undefined ||
    nameKey(question.name) !== nameKey(expected.question.name) ||
    question.type !== expected.question.type ||
    question.rrclass !== expected.question.rrclass
  )
    return { kind: 'drop', reason: 'the question in the reply is not the one asked' };
  return { kind: 'answer', read };
}
