/**
 * The shapes of DNS messages as the mDNS engine sees them (RFC 1035 §4,
 * RFC 6762 §18), and the frozen wire tables they use. Names are in RFC 6763
 * §4.3 presentation form without the final dot: a dot inside a label is `\.`,
 * a backslash `\\`, and control bytes `\DDD`.
 */

/** Resource record types the engine understands (RFC 1035, 3596, 2782, 4034). */
export const RRType = {
  A: 1,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NSEC: 47,
  ANY: 255,
} as const;

/** The IN class; the top bit of the class field is the mDNS unicast-response / cache-flush bit. */
export const CLASS_IN = 1;
/** RFC 6762 §18.12 (QU) and §10.2 (cache-flush) share the top bit of the class. */
export const CLASS_TOP_BIT = 0x8000;

/** Header flags (RFC 1035 §4.1.1). */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
} as const;

/** The mDNS group addresses and port (RFC 6762 §3). */
export const MDNS_PORT = 5353;
export const MDNS_IPV4 = '224.0.0.251';
export const MDNS_IPV6 = 'ff02::fb';

/** RFC 6762 §17: the limit of what we send (we read larger datagrams). */
export const MAX_DATAGRAM = 9000;
/** RFC 6762 §17: a receiver reads whatever the socket delivers, up to the largest UDP payload. */
export const MAX_RECEIVED_DATAGRAM = 65535;

/** The data of a record, by type; unknown types keep their raw RDATA. */
export type RecordData =
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'AAAA'; readonly address: string }
  | { readonly type: 'PTR'; readonly target: string }
  | {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: 'TXT'; readonly strings: readonly Buffer[] }
  | { readonly type: 'NSEC'; readonly next: string; readonly types: readonly number[] }
  | { readonly type: 'OTHER'; readonly code: number; readonly raw: Buffer };

/** A resource record. `cacheFlush` is the top class bit of a response record (RFC 6762 §10.2). */
export interface DnsRecord {
  readonly name: string;
  readonly rrclass: number;
  readonly cacheFlush: boolean;
  readonly ttl: number;
  readonly data: RecordData;
}

/** A question. `unicastResponse` is the QU bit (RFC 6762 §5.4). */
export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly rrclass: number;
  readonly unicastResponse: boolean;
}

/** A whole message. */
export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

/** The numeric type of a record's data. */
export function typeCode(data: RecordData): number {
  return data.type === 'OTHER' ? data.code : RRType[data.type];
}

/** True for a response (QR set). */
export function isResponse(message: DnsMessage): boolean {
  return (message.flags & Flag.QR) !== 0;
}

/** A message with defaults for what is left out. */
export function makeMessage(parts: Partial<DnsMessage>): DnsMessage {
  return {
    id: parts.id ?? 0,
    flags: parts.flags ?? 0,
    questions: parts.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: parts.additionals ?? [],
  };
}
