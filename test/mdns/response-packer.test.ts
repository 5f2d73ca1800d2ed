/** Splitting responses over datagrams (RFC 6762 §17). */
import assert from 'node:assert/strict';
import { decodePacket, encodePacket } from '../../src/dns/packet-codec.js';
import { Flag, makeMessage } from '../../src/dns/wire-types.js';
import { selectAdditionals } from '../../src/mdns/responder-answers.js';
import { hostRecords, type OwnedRecord, serviceRecords } from '../../src/mdns/responder-records.js';
import { packResponse } from '../../src/mdns/response-packer.js';
import { IFACE } from './fake-network.js';

const TYPE = '_echo._tcp.local';
/** The records of `count` services of one host, each with a TXT of `txtBytes`. */
function services(count: number, txtBytes = 20): OwnedRecord[] {
  // Strings of at most 200 bytes (RFC 6763 §6.1 allows 255), `txtBytes` in all.
  const txt = Array.from({ length: Math.ceil(txtBytes / 200) }, (_, i) =>
    Buffer.from(`k${i}=`.padEnd(Math.min(200, txtBytes - i * 200), 'v')),
  );
  return [
    ...Array.from({ length: count }, (_, i) =>
      serviceRecords(`Living Room Speaker ${i}.${TYPE}`, TYPE, 'me.local', 1000 + i, txt),
    ).flat(),
    ...hostRecords('me.local', IFACE),
  ];
}
const ptrs = (mine: readonly OwnedRecord[]) =>
  mine.filter((r) => r.record.data.type === 'PTR' && r.record.name === TYPE);

describe('mdns response packer', () => {
  it('carries 300 PTR answers whole in packets within the limit, each answer once', () => {
    const mine = services(300);
    const answers = ptrs(mine);
    const query = makeMessage({});
    for (const limit of [1452, 8952]) {
      const parts = packResponse(answers, (some) => selectAdditionals(some, mine, query), {
        normal: limit,
        lone: 8952,
      });
      assert.ok(parts.length > 1, 'one packet for 300 instances');
      const carried: string[] = [];
      for (const part of parts) {
        const bytes = encodePacket(part.message);
        assert.ok(bytes.length <= limit, `${bytes.length}-byte packet over ${limit}`);
        const { message, problems } = decodePacket(bytes);
        assert.deepEqual(problems, []);
        assert.equal(message?.flags, Flag.QR | Flag.AA);
        for (const r of message?.answers ?? [])
          if (r.data.type === 'PTR') carried.push(r.data.target);
        // An additional supports an answer of its own packet.
        const targets = new Set(
          part.answers.map((a) => a.record.data.type === 'PTR' && a.record.data.target),
        );
        for (const extra of part.additionals)
          if (extra.record.data.type === 'SRV' || extra.record.data.type === 'TXT')
            assert.ok(targets.has(extra.record.name), `${extra.record.name} without its PTR`);
      }
      assert.equal(carried.length, 300);
      assert.equal(new Set(carried).size, 300);
    }
  });

  it('fills the room left after the answers with additionals, each at most once', () => {
    const mine = services(3);
    const parts = packResponse(
      ptrs(mine),
      (some) => selectAdditionals(some, mine, makeMessage({})),
      {
        normal: 1452,
        lone: 8952,
      },
    );
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]?.message.additionals.map((r) => r.data.type).sort(), [
      'A',
      'AAAA',
      'SRV',
      'SRV',
      'SRV',
      'TXT',
      'TXT',
      'TXT',
    ]);
  });

  it('sends a record too big for the MTU alone (§17), and one too big for 9000 bytes not at all', () => {
    const big = services(1, 5000).filter((r) => r.record.data.type === 'TXT');
    const huge = services(1, 255 * 40).filter((r) => r.record.data.type === 'TXT');
    const small = ptrs(services(2));
    const parts = packResponse([small[0], big[0], small[1]] as OwnedRecord[], () => small, {
      normal: 1452,
      lone: 8952,
    });
    assert.deepEqual(
      parts.map((p) => [p.message.answers.map((r) => r.data.type), p.message.additionals.length]),
      [
        [['PTR', 'PTR'], 0],
        [['TXT'], 0],
      ],
    );
    assert.ok(encodePacket(parts[1]?.message ?? makeMessage({})).length > 1452);
    assert.deepEqual(
      packResponse(huge, () => [], { normal: 1452, lone: 8952 }),
      [],
    );
  });
});
