/**
 * RDATA of the record types DNS-SD uses, one decode/encode pair per type
 * (the dns-packet shape). Decoding stays inside the record's RDLENGTH; names
 * inside RDATA may point back into the message (RFC 6762 §18.14).
 */
import { NameError, NameWriter, readName } from './dns-name.js';
import { ipv4ToBytes, ipv4ToString, ipv6ToBytes, ipv6ToString } from './ip-bytes.js';
import { type RecordData, RRType } from './wire-types.js';

/** Raised for RDATA that does not fit its type; the record is skipped. */
export class RdataError extends Error {
  override readonly name = 'RdataError';
}

/** Reads a name at an offset of a message (readName, or a faster reader that agrees with it). */
export type NameReader = (buf: Buffer, offset: number) => { name: string; next: number };

function nameWithin(
  buf: Buffer,
  offset: number,
  end: number,
  read: NameReader,
): { name: string; next: number } {
  const result = read(buf, offset);
  if (result.next > end) throw new NameError('name runs past RDLENGTH');
  return result;
}

/** Decodes the RDATA at [start, end) of `buf` for a record of type `type`. */
export function decodeRdata(
  buf: Buffer,
  type: number,
  start: number,
  end: number,
  read: NameReader = readName,
): RecordData {
  const length = end - start;
  switch (type) {
    case RRType.A:
      if (length !== 4) throw new RdataError(`A record of ${length} bytes`);
      return { type: 'A', address: ipv4ToString(buf.subarray(start, end)) };
    case RRType.AAAA:
      if (length !== 16) throw new RdataError(`AAAA record of ${length} bytes`);
      return { type: 'AAAA', address: ipv6ToString(buf.subarray(start, end)) };
    case RRType.PTR: {
      const { name, next } = nameWithin(buf, start, end, read);
      if (next !== end) throw new RdataError('PTR with trailing bytes');
      return { type: 'PTR', target: name };
    }
    case RRType.SRV: {
      if (length < 7) throw new RdataError(`SRV record of ${length} bytes`);
      const { name, next } = nameWithin(buf, start + 6, end, read);
      if (next !== end) throw new RdataError('SRV with trailing bytes');
      return {
        type: 'SRV',
        priority: buf.readUInt16BE(start),
        weight: buf.readUInt16BE(start + 2),
        port: buf.readUInt16BE(start + 4),
        target: name,
      };
    }
    case RRType.TXT: {
      const strings: Buffer[] = [];
      let position = start;
      while (position < end) {
        const size = buf[position] as number;
        if (position + 1 + size > end) throw new RdataError('TXT string runs past RDLENGTH');
        strings.push(Buffer.from(buf.subarray(position + 1, position + 1 + size)));
        position += 1 + size;
      }
      return { type: 'TXT', strings };
    }
    case RRType.NSEC: {
      const { name, next } = nameWithin(buf, start, end, read);
      const types: number[] = [];
      let position = next;
      while (position + 2 <= end) {
        const window = buf[position] as number;
        const size = buf[position + 1] as number;
        if (size < 1 || size > 32 || position + 2 + size > end)
          throw new RdataError('bad NSEC bitmap');
        for (let i = 0; i < size; i++) {
          const byte = buf[position + 2 + i] as number;
          for (let bit = 0; bit < 8; bit++) {
            if (byte & (0x80 >> bit)) types.push(window * 256 + i * 8 + bit);
          }
        }
        position += 2 + size;
      }
      if (position !== end) throw new RdataError('NSEC with trailing bytes');
      return { type: 'NSEC', next: name, types };
    }
    default:
      return { type: 'OTHER', code: type, raw: Buffer.from(buf.subarray(start, end)) };
  }
}

/**
 * Encodes RDATA. With a writer and an offset, names are compressed against the
 * rest of the message; without, the result is the canonical uncompressed form
 * that RFC 6762 §8.2 compares byte by byte.
 */
export function encodeRdata(data: RecordData, writer?: NameWriter, offset = 0): Buffer {
  const name = (text: string, at: number): Buffer =>
    writer ? writer.encode(text, at) : new NameWriter().encode(text, at, false);
  switch (data.type) {
    case 'A':
      return ipv4ToBytes(data.address);
    case 'AAAA':
      return ipv6ToBytes(data.address);
    case 'PTR':
      return name(data.target, offset);
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(data.priority, 0);
      head.writeUInt16BE(data.weight, 2);
      head.writeUInt16BE(data.port, 4);
      return Buffer.concat([head, name(data.target, offset + 6)]);
    }
    case 'TXT': {
      // RFC 6763 §6.1: a TXT record with no strings is a single zero byte.
      if (data.strings.length === 0) return Buffer.from([0]);
      const parts: Buffer[] = [];
      for (const s of data.strings) {
        if (s.length > 255) throw new RdataError('TXT string over 255 bytes');
        parts.push(Buffer.from([s.length]), s);
      }
      return Buffer.concat(parts);
    }
    case 'NSEC': {
      // RFC 6762 §6.1: the next-domain name is never compressed.
      const next = new NameWriter().encode(data.next, 0, false);
      const windows = new Map<number, number[]>();
      for (const t of data.types) {
        const bytes = windows.get(t >> 8) ?? new Array<number>(32).fill(0);
        bytes[(t & 0xff) >> 3] = (bytes[(t & 0xff) >> 3] ?? 0) | (0x80 >> (t & 7));
        windows.set(t >> 8, bytes);
      }
      const parts: Buffer[] = [next];
      for (const [window, bytes] of [...windows].sort((a, b) => a[0] - b[0])) {
        let size = 32;
        while (size > 1 && bytes[size - 1] === 0) size -= 1;
        parts.push(Buffer.from([window, size, ...bytes.slice(0, size)]));
      }
      return Buffer.concat(parts);
    }
    case 'OTHER':
      return data.raw;
  }
}
