/**
 * Decoded plain queries (no known answers, authorities or additionals:
 * question-section.ts), kept by their bytes after the ID. A responder under
 * load hears the same few questions over and over; a repeat is recognized by
 * a fingerprint and a byte comparison, and its questions are not decoded
 * again. The same bytes always decode to the same questions, so nothing here
 * depends on our records or links and nothing needs invalidating; only the
 * ID differs between repeats, and it is taken from each packet.
 */
import { decodePacket } from '../dns/packet-codec.js';
import { hasPlainQueryHeader, plainQueryLength } from '../dns/question-section.js';
import type { DnsMessage } from '../dns/wire-types.js';
import { fingerprint } from './packet-fingerprint.js';

/** Kept queries: a flood of distinct ones only cycles this (oldest out first). */
const MAX_QUERIES = 256;
/** Larger queries (many questions) are decoded each time, so the memo stays small. */
const MAX_QUERY_BYTES = 512;

interface Kept {
  /** The query's bytes after the ID. */
  readonly tail: Buffer;
  /** Its decode, with the ID of the last packet that brought it. */
  message: DnsMessage;
}

/** True when `bytes[2, length)` is `tail`: a fingerprint alone could be forged to collide. */
function sameTail(tail: Buffer, bytes: Buffer, length: number): boolean {
  if (tail.length !== length - 2) return false;
  // A loop: for a few dozen bytes it is cheaper than Buffer.compare's checks and native call.
  for (let i = 0; i < tail.length; i++) if (tail[i] !== bytes[i + 2]) return false;
  return true;
}

/** decodePacket for a receive path, reusing the decode of repeated plain queries. */
export class QueryMemo {
  readonly #kept = new Map<number, Kept>();

  /**
   * decodePacket(bytes).message. A repeat of a plain query gets the same
   * questions array (reply-memo.ts keeps its answers and replies on it) and,
   * with the same ID, the same message object: messages are never changed.
   */
  decode(bytes: Buffer): DnsMessage | undefined {
    const { length } = bytes;
    if (length > MAX_QUERY_BYTES || !hasPlainQueryHeader(bytes)) return decodePacket(bytes).message;
    const key = fingerprint(bytes, 2, length);
    const kept = this.#kept.get(key);
    // The same bytes as a kept plain query (its header's flags and counts included): no need
    // to walk its names again.
    if (kept !== undefined && sameTail(kept.tail, bytes, length)) {
      const id = (bytes[0] as number) * 256 + (bytes[1] as number);
      const was = kept.message;
      // A literal of decodePacket's shape, not a spread: a spread went through V8's slow
      // object-clone path and a store-IC miss on every legacy query (a new ID each time).
      if (was.id !== id)
        kept.message = {
          id,
          flags: was.flags,
          questions: was.questions,
          answers: was.answers,
          authorities: was.authorities,
          additionals: was.additionals,
        };
      return kept.message;
    }
    if (plainQueryLength(bytes) !== length) return decodePacket(bytes).message;
    const { message, problems } = decodePacket(bytes);
    // Only clean decodes are kept: a bad label (invalid UTF-8) is logged and refused every time.
    if (message === undefined || problems.length > 0) return message;
    if (kept === undefined && this.#kept.size >= MAX_QUERIES) {
      const oldest = this.#kept.keys().next().value;
      if (oldest !== undefined) this.#kept.delete(oldest);
    }
    this.#kept.set(key, { tail: Buffer.from(bytes.subarray(2, length)), message });
    return message;
  }

  clear(): void {
    this.#kept.clear();
  }
}
