/**
 * TSIG (RFC 8945): signing a request and verifying the signed reply with an
 * HMAC of node:crypto. Socket-free: bytes in, bytes or a verdict out. The
 * MAC covers the request MAC (in a reply), the message as it was before the
 * TSIG record was added (original ID, ARCOUNT without it), and the TSIG
 * variables (§4.3.3). The secret is used here and never leaves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NameWriter, nameKey, readName } from '../dns/dns-name.js';
import type { PlacedRecord } from '../dns/message-reader.js';
import { ExtraType, Rcode, RRClass, rcodeName } from '../dns/wire-extra.js';
import { TsigAlgorithm, type TsigKey } from './config.js';

/** RFC 8945 §10: 300 seconds of clock difference are tolerated. */
export const TSIG_FUDGE = 300;

/** The canonical wire form of a name: lower case, uncompressed (RFC 8945 §4.3.3, RFC 4034 §6.2). */
function canonicalName(name: string): Buffer {
  return new NameWriter().encode(nameKey(name) === '' ? '.' : nameKey(name), 0, false);
}

function uint48(seconds: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt16BE(Math.floor(seconds / 2 ** 32) & 0xffff, 0);
  out.writeUInt32BE(seconds % 2 ** 32, 2);
  return out;
}

/** The TSIG variables of §4.3.3: key name, class, TTL, algorithm, time, fudge, error, other data. */
function variables(
  key: TsigKey,
  algorithm: string,
  timeSigned: number,
  fudge: number,
  error: number,
  other: Buffer,
): Buffer {
  const fixed = Buffer.alloc(2 + 4);
  fixed.writeUInt16BE(RRClass.ANY, 0);
  const tail = Buffer.alloc(6);
  tail.writeUInt16BE(fudge, 0);
  tail.writeUInt16BE(error, 2);
  tail.writeUInt16BE(other.length, 4);
  return Buffer.concat([
    canonicalName(key.name),
    fixed,
    canonicalName(algorithm),
    uint48(timeSigned),
    tail,
    other,
  ]);
}

function mac(key: TsigKey, parts: readonly Buffer[]): Buffer {
  const hmac = createHmac(TsigAlgorithm[key.algorithm].hash, key.secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** A signed request and its MAC (the reply's MAC covers it). */
export interface Signed {
  readonly bytes: Buffer;
  readonly mac: Buffer;
}

/** Appends a TSIG record to `message` (whose ARCOUNT does not count it yet), signed with `key` at `nowSeconds`. */
export function signRequest(message: Buffer, key: TsigKey, nowSeconds: number): Signed {
  const algorithm = TsigAlgorithm[key.algorithm].dnsName;
  const timeSigned = Math.floor(nowSeconds);
  const digest = mac(key, [
    message,
    variables(key, algorithm, timeSigned, TSIG_FUDGE, 0, Buffer.alloc(0)),
  ]);
  const fields = Buffer.alloc(6 + 2 + 2);
  uint48(timeSigned).copy(fields, 0);
  fields.writeUInt16BE(TSIG_FUDGE, 6);
  fields.writeUInt16BE(digest.length, 8);
  const trailer = Buffer.alloc(6);
  trailer.writeUInt16BE(message.readUInt16BE(0), 0); // original ID
  const rdata = Buffer.concat([canonicalName(algorithm), fields, digest, trailer]);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(ExtraType.TSIG, 0);
  head.writeUInt16BE(RRClass.ANY, 2);
  head.writeUInt16BE(rdata.length, 8);
  const signed = Buffer.concat([message, canonicalName(key.name), head, rdata]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { bytes: signed, mac: digest };
}

/** The verdict on a reply's signature. */
export type TsigVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly tsigError?: string };

/** Reads the TSIG RDATA at [start, end). */
function readTsig(buf: Buffer, start: number, end: number) {
  const algorithm = readName(buf, start);
  let at = algorithm.next;
  const timeSigned = buf.readUInt16BE(at) * 2 ** 32 + buf.readUInt32BE(at + 2);
  const fudge = buf.readUInt16BE(at + 6);
  const macSize = buf.readUInt16BE(at + 8);
  at += 10;
  const digest = buf.subarray(at, at + macSize);
  at += macSize;
  const originalId = buf.readUInt16BE(at);
  const error = buf.readUInt16BE(at + 2);
  const otherLength = buf.readUInt16BE(at + 4);
  const other = buf.subarray(at + 6, at + 6 + otherLength);
  if (at + 6 + otherLength !== end || digest.length !== macSize) throw new Error('bad TSIG RDATA');
  return { algorithm: algorithm.name, timeSigned, fudge, digest, originalId, error, other };
}

/**
 * Verifies a reply to a request signed with `requestMac` (RFC 8945 §5.3):
 * the TSIG record must be the last, name our key and algorithm, carry no
 * error, fall within its fudge of `nowSeconds`, and its MAC must match.
 */
export function verifyReply(
  bytes: Buffer,
  placed: readonly PlacedRecord[],
  key: TsigKey,
  requestMac: Buffer,
  nowSeconds: number,
): TsigVerdict {
  const last = placed[placed.length - 1];
  const additionals = bytes.readUInt16BE(10);
  if (
    last === undefined ||
    additionals === 0 ||
    last.record.data.type !== 'OTHER' ||
    last.record.data.code !== ExtraType.TSIG
  )
    return { ok: false, reason: 'the reply is not signed (no TSIG record)' };
  let tsig: ReturnType<typeof readTsig>;
  try {
    tsig = readTsig(bytes, last.rdataStart, last.rdataEnd);
  } catch {
    return { ok: false, reason: 'the reply carries a malformed TSIG record' };
  }
  if (tsig.error !== Rcode.NOERROR)
    return {
      ok: false,
      reason: `the server reports TSIG error ${rcodeName(tsig.error)}`,
      tsigError: rcodeName(tsig.error),
    };
  if (
    nameKey(last.record.name) !== nameKey(key.name) ||
    nameKey(tsig.algorithm) !== TsigAlgorithm[key.algorithm].dnsName
  )
    return { ok: false, reason: 'the reply is signed with another key' };
  const unsigned = Buffer.from(bytes.subarray(0, last.start));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(additionals - 1, 10);
  const size = Buffer.alloc(2);
  size.writeUInt16BE(requestMac.length, 0);
  const expected = mac(key, [
    size,
    requestMac,
    unsigned,
    variables(key, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other),
  ]);
  if (expected.length !== tsig.digest.length || !timingSafeEqual(expected, tsig.digest))
    return { ok: false, reason: 'the reply signature does not verify', tsigError: 'BADSIG' };
  if (Math.abs(nowSeconds - tsig.timeSigned) > tsig.fudge)
    return {
      ok: false,
      reason: 'the reply was signed outside the time window',
      tsigError: 'BADTIME',
    };
  return { ok: true };
}

/** The TSIG error a reply carries (BADSIG, BADKEY, BADTIME for NOTAUTH replies), or undefined. */
export function tsigErrorOf(bytes: Buffer, placed: readonly PlacedRecord[]): number | undefined {
  const last = placed[placed.length - 1];
  if (
    last === undefined ||
    last.record.data.type !== 'OTHER' ||
    last.record.data.code !== ExtraType.TSIG
  )
    return undefined;
  try {
    const { error } = readTsig(bytes, last.rdataStart, last.rdataEnd);
    return error === 0 ? undefined : error;
  } catch {
    return undefined;
  }
}
