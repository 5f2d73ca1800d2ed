import assert from 'node:assert/strict';
import { plainQueryLength } from '../../src/dns/question-section.js';
import { encodePacket, Flag, makeMessage, RRType } from '../../src/mdns/index.js';
import { txtRecord } from '../mdns/records.js';

const question = (name: string, type: number = RRType.PTR, unicastResponse = false) => ({
  name,
  type,
  rrclass: 1,
  unicastResponse,
});
const query = (...names: string[]) =>
  encodePacket(makeMessage({ id: 7, questions: names.map((n) => question(n)) }));

describe('dns question section (plain queries)', () => {
  it('finds the end of a plain query, compressed names included', () => {
    const bytes = query('_echo._tcp.local', 'My Echo._echo._tcp.local');
    // The second name is one label and a pointer back into the first question.
    assert.ok(bytes.includes(0xc0));
    assert.equal(plainQueryLength(bytes), bytes.length);
  });

  it('refuses responses, known answers, authorities, additionals and empty queries', () => {
    const record = txtRecord('x._echo._tcp.local', ['v=1']);
    const q = [question('_echo._tcp.local')];
    for (const message of [
      makeMessage({ flags: Flag.QR, questions: q }),
      makeMessage({ questions: q, answers: [record] }),
      makeMessage({ questions: q, authorities: [record] }),
      makeMessage({ questions: q, additionals: [record] }),
      makeMessage({}),
    ])
      assert.equal(plainQueryLength(encodePacket(message)), undefined);
  });

  it('refuses trailing bytes, a cut-off question and a name past the end', () => {
    const bytes = query('_echo._tcp.local');
    assert.equal(plainQueryLength(Buffer.concat([bytes, Buffer.from([0])])), undefined);
    assert.equal(plainQueryLength(bytes.subarray(0, bytes.length - 1)), undefined);
    assert.equal(plainQueryLength(bytes.subarray(0, 15)), undefined);
    assert.equal(plainQueryLength(bytes.subarray(0, 11)), undefined);
  });

  it('refuses a pointer into the header (the name would change with the ID) or forward', () => {
    const header = Buffer.from([0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const tail = Buffer.from([0, 12, 0, 1]);
    // 0xc000: the ID's bytes as a name; 0xc00c: the pointer itself (not strictly backward).
    for (const pointer of [
      [0xc0, 0x00],
      [0xc0, 0x0c],
    ])
      assert.equal(
        plainQueryLength(Buffer.concat([header, Buffer.from(pointer), tail])),
        undefined,
      );
  });

  it('refuses extended label types and names over 255 octets', () => {
    const header = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const tail = Buffer.from([0, 0, 12, 0, 1]);
    assert.equal(plainQueryLength(Buffer.concat([header, Buffer.from([0x41]), tail])), undefined);
    const long = Buffer.concat(
      Array.from({ length: 5 }, () => Buffer.from([63, ...Array(63).fill(0x61)])),
    );
    assert.equal(plainQueryLength(Buffer.concat([header, long, tail])), undefined);
  });
});
