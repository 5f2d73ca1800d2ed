/**
 * RFC 2136 UPDATE messages for DNS-SD records, socket-free: the zone section
 * names the zone (§2.3), the prerequisite section says the instance name must
 * be free (§2.4.5: class NONE, type ANY), and the update section adds the
 * records (§2.5.1) or deletes exactly the records given (§2.5.4: class NONE,
 * TTL 0, the same RDATA), or replace one RRset (§2.5.2 then §2.5.1).
 */
import { encodePacket } from '../dns/packet-codec.js';
import { ExtraType, Opcode, RRClass } from '../dns/wire-extra.js';
import { type DnsRecord, makeMessage, type RecordData, typeCode } from '../dns/wire-types.js';

/** One record to add or delete: owner, data, TTL. */
export interface UpdateRecord {
  readonly name: string;
  readonly data: RecordData;
  readonly ttl: number;
}

function record(name: string, rrclass: number, ttl: number, data: RecordData): DnsRecord {
  return { name, rrclass, cacheFlush: false, ttl, data };
}

const zoneQuestion = (zone: string) => ({
  name: zone,
  type: ExtraType.SOA,
  rrclass: RRClass.IN,
  unicastResponse: false,
});

/** An UPDATE that adds `records`, provided no record of any type exists at each of `freeNames`. */
export function buildAdd(
  id: number,
  zone: string,
  records: readonly UpdateRecord[],
  freeNames: readonly string[],
): Buffer {
  return encodePacket(
    makeMessage({
      id,
      flags: Opcode.UPDATE << 11,
      questions: [zoneQuestion(zone)],
      answers: freeNames.map((name) =>
        record(name, RRClass.NONE, 0, { type: 'OTHER', code: ExtraType.ANY, raw: Buffer.alloc(0) }),
      ),
      authorities: records.map((r) => record(r.name, RRClass.IN, r.ttl, r.data)),
    }),
  );
}

/** An UPDATE that deletes exactly `records` (and nothing else at their names). */
export function buildDelete(id: number, zone: string, records: readonly UpdateRecord[]): Buffer {
  return encodePacket(
    makeMessage({
      id,
      flags: Opcode.UPDATE << 11,
      questions: [zoneQuestion(zone)],
      authorities: records.map((r) => record(r.name, RRClass.NONE, 0, r.data)),
    }),
  );
}

/**
 * An UPDATE that replaces the RRset of `replacement`'s name and type with
 * that one record (§2.5.2 deletes the RRset: class ANY, TTL 0, no RDATA;
 * §2.5.1 adds), provided an RRset of `mustExist.type` exists at its name
 * (§2.4.1: class ANY, TTL 0, no RDATA): a TXT is not put back under an
 * instance someone else has removed.
 */
export function buildReplace(
  id: number,
  zone: string,
  replacement: UpdateRecord,
  mustExist: { readonly name: string; readonly type: number },
): Buffer {
  const none = Buffer.alloc(0);
  return encodePacket(
    makeMessage({
      id,
      flags: Opcode.UPDATE << 11,
      questions: [zoneQuestion(zone)],
      answers: [
        record(mustExist.name, RRClass.ANY, 0, { type: 'OTHER', code: mustExist.type, raw: none }),
      ],
      authorities: [
        record(replacement.name, RRClass.ANY, 0, {
          type: 'OTHER',
          code: typeCode(replacement.data),
          raw: none,
        }),
        record(replacement.name, RRClass.IN, replacement.ttl, replacement.data),
      ],
    }),
  );
}
