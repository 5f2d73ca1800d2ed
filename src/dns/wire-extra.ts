/**
 * The parts of unicast DNS the shared codec (src/mdns) does not name: opcodes,
 * response codes, TSIG errors, the classes and types of RFC 2136 UPDATE, and
 * the header bits of a recursive query. Frozen tables only; no I/O.
 */

/** Record types beyond the codec's RRType (RFC 1035 §3.2.2, RFC 6891, RFC 8945). */
export const ExtraType = {
  NS: 2,
  SOA: 6,
  OPT: 41,
  TSIG: 250,
  ANY: 255,
} as const;

/** Classes of RFC 2136 §2.4-2.5: NONE and ANY carry prerequisites and deletions. */
export const RRClass = {
  IN: 1,
  NONE: 254,
  ANY: 255,
} as const;

/** Header opcodes (RFC 1035 §4.1.1, RFC 2136 §2.2); the opcode sits in bits 11-14. */
export const Opcode = {
  QUERY: 0,
  UPDATE: 5,
} as const;

/** Header bits beyond the codec's Flag table (RFC 1035 §4.1.1). */
export const HeaderBit = {
  RD: 0x0100,
  RA: 0x0080,
} as const;

/** Response codes (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 8945 §5.2 for the TSIG error field). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

/** What each code means, for error messages. */
const rcodeMeaning: Readonly<Record<number, string>> = {
  [Rcode.FORMERR]: 'the server could not read the request',
  [Rcode.SERVFAIL]: 'the server failed',
  [Rcode.NXDOMAIN]: 'no such name',
  [Rcode.NOTIMP]: 'the server does not do this',
  [Rcode.REFUSED]: 'the server refused (an update needs a TSIG key the zone accepts)',
  [Rcode.YXDOMAIN]: 'the name is taken',
  [Rcode.YXRRSET]: 'the records exist',
  [Rcode.NXRRSET]: 'the records do not exist',
  [Rcode.NOTAUTH]:
    'the server is not authoritative for the zone, or the signature was not accepted',
  [Rcode.NOTZONE]: 'the name is outside the zone',
  [Rcode.BADSIG]: 'the TSIG signature did not verify (wrong secret)',
  [Rcode.BADKEY]: 'the server does not know this TSIG key name or algorithm',
  [Rcode.BADTIME]: 'the TSIG time is outside the fudge window (check the clock)',
  [Rcode.BADTRUNC]: 'bad truncation of the TSIG MAC',
};

/** The mnemonic of a response code ("REFUSED"), or "RCODE n". */
export function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(Rcode)) if (value === code) return name;
  return `RCODE ${code}`;
}

/** "REFUSED (the server refused ...)": a code and what it means. */
export function describeRcode(code: number): string {
  const meaning = rcodeMeaning[code];
  return meaning === undefined ? rcodeName(code) : `${rcodeName(code)} (${meaning})`;
}

/** The opcode of a header's flags. */
export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

/** The response code of a header's flags (the low four bits; EDNS0 extends it, RFC 6891 §6.1.3). */
export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

/** RFC 6891 §6.2.5: 1232 bytes avoids IP fragmentation on almost every path. */
export const EDNS_UDP_SIZE = 1232;
/** The classic limit of a DNS datagram without EDNS0 (RFC 1035 §2.3.4). */
export const CLASSIC_UDP_SIZE = 512;
/** The largest DNS message (TCP's two-byte length, RFC 1035 §4.2.2). */
export const MAX_MESSAGE = 65535;
/** The standard DNS port. */
export const DNS_PORT = 53;
