/**
 * Whole mDNS messages to and from bytes. Decoding never throws: anyone on a
 * LAN can send garbage, so a bad packet is dropped (or cut short) with a
 * debuglog line, and the good records before the damage are kept. A record
 * whose RDATA is bad but whose RDLENGTH is sound is skipped on its own.
 */
import { debuglog } from 'node:util';
import { NameWriter, readName } from './dns-name.js';
import { decodeRdata, encodeRdata } from './rdata.js';
import {
  CLASS_TOP_BIT,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  MAX_RECEIVED_DATAGRAM,
  typeCode,
} from './wire-types.js';

const log = debuglog('cfstream:mdns');
const HEADER = 12;

/** The result of decoding: the message (undefined when nothing usable) and what was wrong. */
export interface Decoded {
  readonly message: DnsMessage | undefined;
  readonly problems: readonly string[];
}

/** Decodes a datagram; never throws. */
export function decodePacket(buf: Buffer): Decoded {
  const problems: string[] = [];
  if (buf.length < HEADER)
    return { message: undefined, problems: [`${buf.length}-byte packet has no full header`] };
  if (buf.length > MAX_RECEIVED_DATAGRAM)
    return {
      message: undefined,
      problems: [`${buf.length}-byte datagram over ${MAX_RECEIVED_DATAGRAM}`],
    };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [
    buf.readUInt16BE(4),
    buf.readUInt16BE(6),
    buf.readUInt16BE(8),
    buf.readUInt16BE(10),
  ] as const;
  const questions: DnsQuestion[] = [];
  const sections: DnsRecord[][] = [[], [], []];
  let offset = HEADER;
  let broken = false;
  for (let i = 0; i < counts[0] && !broken; i++) {
    try {
      const { name, next } = readName(buf, offset);
      if (next + 4 > buf.length) throw new Error('question runs past the end of the packet');
      const type = buf.readUInt16BE(next);
      const rawClass = buf.readUInt16BE(next + 2);
      questions.push({
        name,
        type,
        rrclass: rawClass & ~CLASS_TOP_BIT,
        unicastResponse: (rawClass & CLASS_TOP_BIT) !== 0,
      });
      offset = next + 4;
    } catch (error) {
      problems.push(`question ${i}: ${(error as Error).message}`);
      broken = true;
    }
  }
  for (let s = 0; s < 3 && !broken; s++) {
    const section = sections[s] as DnsRecord[];
    for (let i = 0; i < (counts[s + 1] as number) && !broken; i++) {
      let header: { name: string; next: number };
      try {
        header = readName(buf, offset);
      } catch (error) {
        problems.push(`record ${s}.${i}: ${(error as Error).message}`);
        broken = true;
        break;
      }
      const at = header.next;
      if (at + 10 > buf.length) {
        problems.push(`record ${s}.${i}: header runs past the end of the packet`);
        broken = true;
        break;
      }
      const type = buf.readUInt16BE(at);
      const rawClass = buf.readUInt16BE(at + 2);
      const ttl = buf.readUInt32BE(at + 4);
      const rdlength = buf.readUInt16BE(at + 8);
      const start = at + 10;
      const end = start + rdlength;
      if (end > buf.length) {
        problems.push(`record ${s}.${i}: RDLENGTH ${rdlength} runs past the end of the packet`);
        broken = true;
        break;
      }
      offset = end;
      try {
        section.push({
          name: header.name,
          rrclass: rawClass & ~CLASS_TOP_BIT,
          cacheFlush: (rawClass & CLASS_TOP_BIT) !== 0,
          ttl,
          data: decodeRdata(buf, type, start, end),
        });
      } catch (error) {
        problems.push(`record ${s}.${i} (type ${type}): ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) log('packet problems: %s', problems.join('; '));
  const [answers, authorities, additionals] = sections as [DnsRecord[], DnsRecord[], DnsRecord[]];
  const usable = questions.length + answers.length + authorities.length + additionals.length > 0;
  return {
    message:
      usable || problems.length === 0
        ? { id, flags, questions, answers, authorities, additionals }
        : undefined,
    problems,
  };
}

/** Encodes a message with name compression. Throws on names or data that cannot be encoded. */
export function encodePacket(message: DnsMessage): Buffer {
  const writer = new NameWriter();
  const parts: Buffer[] = [];
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(message.id, 0);
  header.writeUInt16BE(message.flags, 2);
  header.writeUInt16BE(message.questions.length, 4);
  header.writeUInt16BE(message.answers.length, 6);
  header.writeUInt16BE(message.authorities.length, 8);
  header.writeUInt16BE(message.additionals.length, 10);
  parts.push(header);
  let offset = HEADER;
  for (const q of message.questions) {
    const name = writer.encode(q.name, offset);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE((q.rrclass & ~CLASS_TOP_BIT) | (q.unicastResponse ? CLASS_TOP_BIT : 0), 2);
    parts.push(name, tail);
    offset += name.length + 4;
  }
  for (const record of [...message.answers, ...message.authorities, ...message.additionals]) {
    const name = writer.encode(record.name, offset);
    const fixed = Buffer.alloc(10);
    const rdata = encodeRdata(record.data, writer, offset + name.length + 10);
    fixed.writeUInt16BE(typeCode(record.data), 0);
    fixed.writeUInt16BE(
      (record.rrclass & ~CLASS_TOP_BIT) | (record.cacheFlush ? CLASS_TOP_BIT : 0),
      2,
    );
    fixed.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.floor(record.ttl))), 4);
    fixed.writeUInt16BE(rdata.length, 8);
    parts.push(name, fixed, rdata);
    offset += name.length + 10 + rdata.length;
  }
  return Buffer.concat(parts);
}
