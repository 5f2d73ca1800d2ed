/**
 * Properties of the mDNS wire codec: decoding never throws whatever the
 * bytes (anyone on the link can send them), what it accepts encodes back to
 * the same message, and it reads exactly what an independent encoder wrote.
 * FUZZ_RUNS cases each under `npm run fuzz`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type DnsMessage,
  type DnsRecord,
  decodePacket,
  encodePacket,
  nameKey,
  type RecordData,
} from '../../src/mdns/index.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz-runs.js';
import { dnsMessage, hostileBytes } from './dns-arbitraries.js';
import { wireEncode } from './wire-encoder.js';

/** The same message in the one form the codec gives back: what the wire cannot tell apart is made equal. */
function normalizeData(data: RecordData): RecordData {
  switch (data.type) {
    case 'TXT':
      // RFC 6763 §6.1: no strings and one empty string are the same bytes.
      return data.strings.length === 0 ? { type: 'TXT', strings: [Buffer.alloc(0)] } : data;
    case 'NSEC':
      // RFC 4034 §4.1.2: a type bitmap is a set.
      return {
        type: 'NSEC',
        next: data.next,
        types: [...new Set(data.types)].sort((a, b) => a - b),
      };
    case 'AAAA':
      // RFC 5952: one text form per address.
      return { type: 'AAAA', address: new URL(`http://[${data.address}]`).hostname.slice(1, -1) };
    default:
      return data;
  }
}

function foldData(data: RecordData): RecordData {
  switch (data.type) {
    case 'PTR':
      return { ...data, target: nameKey(data.target) };
    case 'SRV':
      return { ...data, target: nameKey(data.target) };
    case 'NSEC':
      return { ...data, next: nameKey(data.next) };
    default:
      return data;
  }
}

/**
 * The message as the codec gives it back. With `foldCase`, ASCII case in
 * names is folded too: the encoder compresses a name against an earlier one
 * that differs only in case (names are compared that way, RFC 6762 §16), so
 * the later name comes back in the earlier one's case.
 */
function normalize(m: DnsMessage, foldCase = false): DnsMessage {
  const name = (text: string): string => (foldCase ? nameKey(text) : text);
  const record = (r: DnsRecord): DnsRecord => {
    const data = normalizeData(r.data);
    return { ...r, name: name(r.name), data: foldCase ? foldData(data) : data };
  };
  return {
    ...m,
    // fast-check builds records without a prototype; compare plain objects.
    questions: m.questions.map((q) => ({ ...q, name: name(q.name) })),
    answers: m.answers.map(record),
    authorities: m.authorities.map(record),
    additionals: m.additionals.map(record),
  };
}

const RUNS = fuzzRuns(1000);

describe('mdns packet codec (property)', () => {
  it(`decodes any bytes without throwing (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(hostileBytes, (bytes) => {
        const { message, problems } = decodePacket(bytes);
        assert.ok(Array.isArray(problems));
        if (message === undefined) return;
        for (const q of message.questions) assert.equal(typeof q.name, 'string');
        for (const r of [...message.answers, ...message.authorities, ...message.additionals]) {
          assert.equal(typeof r.name, 'string');
          assert.ok(r.ttl >= 0 && r.ttl <= 0xffffffff);
        }
      }),
      fuzzParameters(1000),
    );
  });

  it(`encodes what it accepted back to the same message (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(hostileBytes, (bytes) => {
        const { message } = decodePacket(bytes);
        if (message === undefined) return;
        const again = decodePacket(encodePacket(message));
        assert.deepEqual(again.problems, []);
        assert.deepEqual(normalize(again.message!, true), normalize(message, true));
      }),
      fuzzParameters(1000),
    );
  });

  it(`reads exactly what an independent encoder wrote (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(dnsMessage, (message) => {
        const { message: decoded, problems } = decodePacket(wireEncode(message));
        assert.deepEqual(problems, []);
        assert.deepEqual(decoded, normalize(message));
      }),
      fuzzParameters(1000),
    );
  });

  it(`round-trips messages through its own encoder (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(dnsMessage, (message) => {
        const bytes = encodePacket(message);
        // Compression never makes a message longer than the uncompressed form.
        assert.ok(bytes.length <= wireEncode(message).length);
        const { message: decoded, problems } = decodePacket(bytes);
        assert.deepEqual(problems, []);
        assert.deepEqual(normalize(decoded!, true), normalize(message, true));
      }),
      fuzzParameters(1000),
    );
  });
});
