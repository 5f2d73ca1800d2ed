/** Property: no datagram, however malformed, crashes the receive path or poisons the cache. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodePacket, Flag, type MdnsEngine, makeMessage, RRType } from '../../src/mdns/index.js';
import { fuzzParameters } from '../support/fuzz-runs.js';
import { type FakeTransport, fakeEngine } from './fake-network.js';

const valid = encodePacket(
  makeMessage({
    flags: Flag.QR,
    questions: [{ name: 'a._x._tcp.local', type: RRType.ANY, rrclass: 1, unicastResponse: true }],
    answers: [
      {
        name: 'a._x._tcp.local',
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'SRV', priority: 0, weight: 0, port: 1, target: 'h.local' },
      },
      {
        name: 'h.local',
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'A', address: '10.0.0.9' },
      },
      {
        name: 'a._x._tcp.local',
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'TXT', strings: [Buffer.from('k=v')] },
      },
    ],
  }),
);

describe('mdns receive path (property)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  beforeEach(async () => {
    ({ engine, net } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('survives random datagrams and mutations of a valid one', () => {
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      })
      .map((edits) => {
        const copy = Buffer.from(valid);
        for (const [i, v] of edits) copy[i] = v;
        return copy;
      });
    const truncated = fc.nat(valid.length).map((n) => valid.subarray(0, n));
    const random = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.oneof(mutated, truncated, random), fc.boolean(), (bytes, asQuery) => {
        if (asQuery && bytes.length > 2) bytes[2] = (bytes[2] as number) & 0x7f;
        net.injectBytes(bytes);
        for (const entry of engine.cache.lookup('h.local', RRType.ANY)) {
          assert.ok(entry.record.ttl > 0);
        }
        assert.ok(engine.cache.bytes <= engine.options.limits.maxCacheBytes);
      }),
      // 2000 cases in the test run, FUZZ_RUNS under `npm run fuzz`.
      fuzzParameters(2000),
    );
  });
});
