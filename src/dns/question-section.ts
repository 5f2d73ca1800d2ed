/**
 * Where a plain query's question section ends, found without decoding it. A
 * plain query is what a busy responder hears over and over: QR clear, no
 * answer, authority or additional records (RFC 6762 §7.1 known answers,
 * §8.2 probe authorities), so its bytes after the ID are its questions and
 * nothing else. When those bytes do not depend on the ID (no compression
 * pointer into the header), two such queries with the same bytes after the
 * ID decode to the same questions, and a decode can be reused.
 */
import { Flag } from './wire-types.js';

const HEADER = 12;

/**
 * The length of `buf` when it is a plain query whose question names are
 * well formed and point (RFC 1035 §4.1.4) only back into the question
 * section, and whose questions fill the datagram exactly; undefined
 * otherwise (the caller decodes such packets in full, as any other).
 */
export function plainQueryLength(buf: Buffer): number | undefined {
  if (!hasPlainQueryHeader(buf)) return undefined;
  const questions = ((buf[4] as number) << 8) | (buf[5] as number);
  let offset = HEADER;
  for (let q = 0; q < questions; q++) {
    const end = nameEnd(buf, offset);
    if (end === undefined || end + 4 > buf.length) return undefined;
    offset = end + 4;
  }
  return offset === buf.length ? offset : undefined;
}

/** True when the header is a plain query's: QR clear, questions, no other records. */
export function hasPlainQueryHeader(buf: Buffer): boolean {
  if (buf.length < HEADER || ((buf[2] as number) & (Flag.QR >> 8)) !== 0) return false;
  if (buf[4] === 0 && buf[5] === 0) return false;
  // ANCOUNT, NSCOUNT, ARCOUNT all zero.
  for (let i = 6; i < HEADER; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Just past the name at `offset` (its labels, then a zero byte or a
 * pointer), or undefined for a name readName would refuse or one whose
 * pointers leave the question section. Pointers are followed only to check
 * them: strictly backward, as readName requires, and never below the header.
 */
function nameEnd(buf: Buffer, offset: number): number | undefined {
  let position = offset;
  let next = -1;
  let octets = 1;
  let lowestJump = offset;
  for (;;) {
    if (position >= buf.length) return undefined;
    const len = buf[position] as number;
    if (len === 0) return next < 0 ? position + 1 : next;
    if ((len & 0xc0) === 0xc0) {
      if (position + 1 >= buf.length) return undefined;
      const target = ((len & 0x3f) << 8) | (buf[position + 1] as number);
      if (target >= lowestJump || target < HEADER) return undefined;
      if (next < 0) next = position + 2;
      lowestJump = target;
      position = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return undefined;
    octets += len + 1;
    if (octets > 255 || position + 1 + len > buf.length) return undefined;
    position += 1 + len;
  }
}
