/**
 * An independent DNS message encoder for the properties: written from
 * RFC 1035 §3.1, §3.3, §4.1 (plus RFC 3596 §2.2, RFC 2782, RFC 4034 §4.1),
 * without name compression, sharing no code with src/mdns. It is the oracle
 * the codec's decoder is checked against: what this writes, the decoder must
 * read back as the same message.
 */
import type { DnsMessage, DnsRecord, RecordData } from '../../src/mdns/index.js';

/**
 * The wire labels of a presentation-form name (RFC 6763 §4.3 escapes:
 * `\.`, `\\`, `\DDD`), as raw bytes: nothing is decoded, so every byte the
 * name spells reaches the wire as it is.
 */
export function wireLabels(name: string): Buffer[] {
  const labels: Buffer[] = [];
  let bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '\\' && /^\d{3}$/.test(name.slice(i + 1, i + 4))) {
      bytes.push(Number(name.slice(i + 1, i + 4)));
      i += 3;
    } else if (ch === '\\') {
      const code = name.codePointAt(i + 1) ?? 0;
      const text = String.fromCodePoint(code);
      bytes.push(...Buffer.from(text, 'utf8'));
      i += text.length;
    } else if (ch === '.') {
      labels.push(Buffer.from(bytes));
      bytes = [];
    } else {
      const text = String.fromCodePoint(name.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(text, 'utf8'));
      i += text.length - 1;
    }
  }
  if (bytes.length > 0) labels.push(Buffer.from(bytes));
  return labels;
}

function nameBytes(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of wireLabels(name)) parts.push(Buffer.from([label.length]), label);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function ipv6(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(groups.map((g) => u16(Number.parseInt(g, 16))));
}

function rdata(data: RecordData): { type: number; bytes: Buffer } {
  switch (data.type) {
    case 'A':
      return { type: 1, bytes: ipv4(data.address) };
    case 'AAAA':
      return { type: 28, bytes: ipv6(data.address) };
    case 'PTR':
      return { type: 12, bytes: nameBytes(data.target) };
    case 'SRV':
      return {
        type: 33,
        bytes: Buffer.concat([
          u16(data.priority),
          u16(data.weight),
          u16(data.port),
          nameBytes(data.target),
        ]),
      };
    case 'TXT': {
      // RFC 6763 §6.1: no strings is written as one empty string.
      const strings = data.strings.length === 0 ? [Buffer.alloc(0)] : data.strings;
      return {
        type: 16,
        bytes: Buffer.concat(strings.flatMap((s) => [Buffer.from([s.length]), s])),
      };
    }
    case 'NSEC': {
      // RFC 4034 §4.1.2: one block per window, in increasing order, trailing zero octets cut.
      const windows = new Map<number, Buffer>();
      for (const t of data.types) {
        const map = windows.get(t >> 8) ?? Buffer.alloc(32);
        map[(t & 0xff) >> 3] = (map[(t & 0xff) >> 3] as number) | (0x80 >> (t & 7));
        windows.set(t >> 8, map);
      }
      const blocks = [...windows]
        .sort((a, b) => a[0] - b[0])
        .map(([window, map]) => {
          let size = 32;
          while (size > 1 && map[size - 1] === 0) size -= 1;
          return Buffer.concat([Buffer.from([window, size]), map.subarray(0, size)]);
        });
      return { type: 47, bytes: Buffer.concat([nameBytes(data.next), ...blocks]) };
    }
    case 'OTHER':
      return { type: data.code, bytes: data.raw };
  }
}

function record(r: DnsRecord): Buffer {
  const { type, bytes } = rdata(r.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(r.rrclass | (r.cacheFlush ? 0x8000 : 0), 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(bytes.length, 8);
  return Buffer.concat([nameBytes(r.name), fixed, bytes]);
}

/** The message as uncompressed wire bytes (RFC 1035 §4.1). */
export function wireEncode(message: DnsMessage): Buffer {
  const header = Buffer.concat([
    u16(message.id),
    u16(message.flags),
    u16(message.questions.length),
    u16(message.answers.length),
    u16(message.authorities.length),
    u16(message.additionals.length),
  ]);
  const questions = message.questions.map((q) =>
    Buffer.concat([
      nameBytes(q.name),
      u16(q.type),
      u16(q.rrclass | (q.unicastResponse ? 0x8000 : 0)),
    ]),
  );
  const records = [...message.answers, ...message.authorities, ...message.additionals].map(record);
  return Buffer.concat([header, ...questions, ...records]);
}
