import assert from 'node:assert/strict';
import { decodePacket, encodePacket, Flag, makeMessage, RRType } from '../../src/mdns/index.js';
import { fingerprint } from '../../src/mdns/packet-fingerprint.js';
import { QueryMemo } from '../../src/mdns/query-memo.js';
import { txtRecord } from './records.js';

const question = (name: string, type: number = RRType.PTR, unicastResponse = false) => ({
  name,
  type,
  rrclass: 1,
  unicastResponse,
});
const withId = (bytes: Buffer, id: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(id, 0);
  return copy;
};

describe('mdns query memo', () => {
  it('gives a repeated plain query the decode of the first, with its own ID', () => {
    const memo = new QueryMemo();
    const bytes = encodePacket(
      makeMessage({ id: 1, questions: [question('_echo._tcp.local', RRType.PTR, true)] }),
    );
    const first = memo.decode(bytes);
    const again = memo.decode(Buffer.from(bytes));
    const other = memo.decode(withId(bytes, 2));
    assert.deepEqual(first, decodePacket(bytes).message);
    assert.equal(again, first);
    assert.deepEqual(other, decodePacket(withId(bytes, 2)).message);
    assert.equal(other?.id, 2);
    assert.equal(other?.questions, first?.questions);
    assert.equal(memo.decode(bytes)?.id, 1);
  });

  it('decodes as decodePacket does, for queries it keeps and for all it does not', () => {
    const memo = new QueryMemo();
    const record = txtRecord('x._echo._tcp.local', ['v=1']);
    const q = [question('_echo._tcp.local'), question('My Echo._echo._tcp.local', RRType.SRV)];
    const packets = [
      encodePacket(makeMessage({ questions: q })),
      encodePacket(makeMessage({ questions: [question('a.local', RRType.A, true)] })),
      encodePacket(makeMessage({ questions: [question('A.LOCAL', RRType.A, true)] })),
      encodePacket(makeMessage({ flags: Flag.TC, questions: q })),
      encodePacket(makeMessage({ questions: q, answers: [record] })),
      encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers: [record] })),
      Buffer.concat([encodePacket(makeMessage({ questions: q })), Buffer.from([1, 2])]),
      // A label that is not UTF-8: decoded with a problem every time, never kept.
      Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1, 0, 1]),
      Buffer.from([0, 0, 0, 0]),
    ];
    for (let round = 0; round < 3; round++)
      for (const [i, bytes] of packets.entries()) {
        const id = round * 100 + i;
        const packet = withId(bytes, id);
        assert.deepEqual(memo.decode(packet), decodePacket(packet).message, `packet ${i}`);
      }
  });

  it('never keeps a decode that depends on the ID (a name pointing into the header)', () => {
    const memo = new QueryMemo();
    // The question's name is a pointer to offset 0: the ID read as a label.
    const bytes = (id0: number) =>
      Buffer.from([id0, 0x61, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0, 12, 0, 1]);
    const a = memo.decode(bytes(1));
    const b = memo.decode(bytes(2));
    assert.deepEqual(a, decodePacket(bytes(1)).message);
    assert.deepEqual(b, decodePacket(bytes(2)).message);
    assert.notDeepEqual(a?.questions, b?.questions);
  });

  it('keeps at most 256 queries, the oldest out first', () => {
    const memo = new QueryMemo();
    const packet = (i: number) =>
      encodePacket(makeMessage({ questions: [question(`host-${i}.local`, RRType.A)] }));
    const first = memo.decode(packet(0));
    for (let i = 1; i <= 256; i++) memo.decode(packet(i));
    const again = memo.decode(packet(0));
    assert.deepEqual(again, first);
    assert.notEqual(again?.questions, first?.questions);
    assert.equal(memo.decode(packet(256))?.questions, memo.decode(packet(256))?.questions);
  });
});

describe('mdns packet fingerprint', () => {
  it('is equal for equal bytes, whatever their offset, and differs for one bit changed', () => {
    const bytes = Buffer.from(Array.from({ length: 157 }, (_, i) => (i * 31) & 0xff));
    const prints = new Set<number>();
    prints.add(fingerprint(bytes));
    assert.equal(fingerprint(Buffer.concat([Buffer.from([9, 9]), bytes]), 2), fingerprint(bytes));
    for (let i = 0; i < bytes.length * 8; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i >> 3] = (flipped[i >> 3] as number) ^ (1 << (i & 7));
      prints.add(fingerprint(flipped));
    }
    // Shorter and longer by one zero byte, too.
    prints.add(fingerprint(bytes.subarray(0, bytes.length - 1)));
    prints.add(fingerprint(Buffer.concat([bytes, Buffer.from([0])])));
    assert.equal(prints.size, bytes.length * 8 + 3);
    for (const p of prints) assert.ok(Number.isSafeInteger(p) && p >= 0);
  });
});
