/** IPv4 and IPv6 addresses to and from their 4 and 16 RDATA bytes (RFC 1035 §3.4.1, RFC 3596 §2.2). */
import { isIPv4, isIPv6 } from 'node:net';

/** The dotted-quad text of four bytes. */
export function ipv4ToString(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** Four bytes of a dotted quad; throws on anything else. */
export function ipv4ToBytes(text: string): Buffer {
  if (!isIPv4(text)) throw new TypeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return Buffer.from(text.split('.').map(Number));
}

/** RFC 5952 text of sixteen bytes: lower case, the longest run of zero groups as `::`. */
export function ipv6ToString(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** Sixteen bytes of an IPv6 address (a `%scope` suffix is ignored); throws on anything else. */
export function ipv6ToBytes(text: string): Buffer {
  const bare = text.split('%')[0] ?? '';
  if (!isIPv6(bare)) throw new TypeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  let body = bare;
  const out = Buffer.alloc(16);
  // An embedded dotted quad ("::ffff:1.2.3.4") becomes the last two groups.
  const lastColon = body.lastIndexOf(':');
  const tailText = body.slice(lastColon + 1);
  if (isIPv4(tailText)) {
    const v4 = ipv4ToBytes(tailText);
    body = `${body.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [headText, tailPart] = body.includes('::') ? body.split('::') : [body, undefined];
  const head = headText ? headText.split(':') : [];
  const tail = tailPart ? tailPart.split(':') : [];
  const groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

/** True for fe80::/10, whose addresses need a scope to be usable. */
export function isLinkLocalIPv6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
