/** The packet budget never lets a packet past its limit, whatever the names (RFC 6762 §17). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { type DnsRecord, Flag, makeMessage } from '../../src/dns/wire-types.js';
import { PacketBudget } from '../../src/mdns/packet-budget.js';

// Labels with the characters that change a name's size on the wire: escapes, dots, UTF-8, case.
const label = fc
  .array(fc.constantFrom('a', 'B', 'z', '\\.', '\\\\', '\\032', 'é', '日', '-', ' '), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''));
const suffix = fc.constantFrom(
  '_echo._tcp.local',
  '_ECHO._tcp.local',
  'local',
  'host.local',
  'x.y',
);
const name = fc
  .tuple(fc.array(label, { maxLength: 2 }), suffix, fc.boolean())
  .map(([labels, tail, dot]) => `${[...labels, tail].join('.')}${dot ? '.' : ''}`);
const record: fc.Arbitrary<DnsRecord> = fc
  .tuple(
    name,
    fc.oneof(
      name.map((target) => ({ type: 'PTR' as const, target })),
      name.map((target) => ({ type: 'SRV' as const, priority: 0, weight: 0, port: 1, target })),
      fc
        .array(fc.uint8Array({ maxLength: 255 }), { maxLength: 6 })
        .map((strings) => ({ type: 'TXT' as const, strings: strings.map((s) => Buffer.from(s)) })),
      fc.constant({ type: 'A' as const, address: '10.0.0.1' }),
      name.map((next) => ({ type: 'NSEC' as const, next, types: [1, 16, 33] })),
    ),
  )
  .map(([owner, data]) => ({ name: owner, rrclass: 1, cacheFlush: false, ttl: 120, data }));

describe('mdns packet budget (property)', () => {
  it('every packet it fills encodes within its limit, and it takes records while they fit', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 60 }),
        fc.array(record, { maxLength: 30 }),
        fc.integer({ min: 60, max: 1500 }),
        fc.array(name, { maxLength: 2 }),
        (answers, additionals, limit, questions) => {
          const base = makeMessage({
            flags: Flag.QR,
            questions: questions.map((q) => ({
              name: q,
              type: 12,
              rrclass: 1,
              unicastResponse: false,
            })),
          });
          const budget = new PacketBudget(base, limit);
          let taken = 0;
          for (const r of answers) if (budget.add(r, 'answers')) taken += 1;
          for (const r of additionals) budget.add(r, 'additionals');
          const size = encodePacket(budget.message()).length;
          if (size > encodePacket(base).length) assert.ok(size <= limit, `${size} > ${limit}`);
          // The first answer that fits alone is never refused.
          const first = answers[0];
          if (
            first !== undefined &&
            encodePacket(makeMessage({ ...base, answers: [first] })).length <= limit
          )
            assert.ok(taken > 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
