/** Query packets never pass their limit and carry every question once (RFC 6762 §17, §7.2). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { type DnsRecord, Flag } from '../../src/dns/wire-types.js';
import { payloadLimits } from '../../src/mdns/link-mtu.js';
import { type AskedQuestion, packQuery } from '../../src/mdns/query-packer.js';

// Labels with the characters that change a name's size on the wire: escapes, dots, UTF-8, case.
const label = fc
  .array(fc.constantFrom('a', 'B', 'z', '\\.', '\\\\', '\\032', 'é', '日', '-', ' '), {
    minLength: 1,
    maxLength: 20,
  })
  .map((parts) => parts.join(''));
const suffix = fc.constantFrom('_echo._tcp.local', '_ECHO._tcp.local', 'local', 'host.local');
const name = fc
  .tuple(fc.array(label, { maxLength: 2 }), suffix)
  .map(([labels, tail]) => [...labels, tail].join('.'));
const known = (owner: string): fc.Arbitrary<DnsRecord> =>
  fc
    .oneof(
      name.map((target) => ({ type: 'PTR' as const, target })),
      name.map((target) => ({ type: 'SRV' as const, priority: 0, weight: 0, port: 1, target })),
      fc
        .array(fc.uint8Array({ maxLength: 255 }), { maxLength: 8 })
        .map((strings) => ({ type: 'TXT' as const, strings: strings.map((s) => Buffer.from(s)) })),
      fc.constant({ type: 'AAAA' as const, address: 'fe80::1' }),
    )
    .map((data) => ({ name: owner, rrclass: 1, cacheFlush: false, ttl: 120, data }));
const asked: fc.Arbitrary<AskedQuestion> = name.chain((owner) =>
  fc.array(known(owner), { maxLength: 12 }).map((list) => ({
    question: { name: owner, type: 12, rrclass: 1, unicastResponse: false },
    known: list,
  })),
);

describe('mdns query packer (property)', () => {
  it('every packet within the limit; each question once, its answers with it or right after', () => {
    const limits = payloadLimits(undefined);
    fc.assert(
      fc.property(fc.array(asked, { maxLength: 80 }), (items) => {
        const packets = packQuery(items, limits);
        for (const p of packets) {
          const size = encodePacket(p).length;
          assert.ok(size <= limits.normal || (p.answers.length === 1 && size <= limits.lone));
        }
        // In order: each packet with questions, then its continuations (no questions), the last
        // of a run without TC; nothing but continuations follows a TC packet.
        const asked = packets.flatMap((p) => p.questions);
        assert.deepEqual(
          asked,
          items.map((i) => i.question),
        );
        // Each run (a packet with questions and its continuations) lists exactly the known
        // answers of its own questions, in order.
        let next = 0;
        for (let i = 0; i < packets.length; ) {
          const run = [packets[i] as (typeof packets)[number]];
          while (((run.at(-1)?.flags ?? 0) & Flag.TC) !== 0) run.push(packets[i + run.length]!);
          const mine = items.slice(next, next + (run[0]?.questions.length ?? 0));
          next += mine.length;
          assert.ok(run.slice(1).every((p) => p.questions.length === 0));
          assert.deepEqual(
            run.flatMap((p) => p.answers),
            mine.flatMap((item) => item.known),
          );
          i += run.length;
        }
        assert.equal(next, items.length);
      }),
      { numRuns: 300 },
    );
  });
});
