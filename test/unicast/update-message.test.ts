/** RFC 2136 messages as built, read back: opcode, zone section, the "name is free" prerequisite, adds and exact deletes. */
import assert from 'node:assert/strict';
import { readMessage } from '../../src/dns/message-reader.js';
import { ExtraType, Opcode, opcodeOf, RRClass } from '../../src/dns/wire-extra.js';
import { buildAdd, buildDelete, type UpdateRecord } from '../../src/unicast/update-message.js';

const INSTANCE = 'Café Bar._http._tcp.example.test';
const records: UpdateRecord[] = [
  { name: '_http._tcp.example.test', ttl: 120, data: { type: 'PTR', target: INSTANCE } },
  {
    name: INSTANCE,
    ttl: 120,
    data: { type: 'SRV', priority: 0, weight: 0, port: 80, target: 'h.example.test' },
  },
  { name: INSTANCE, ttl: 120, data: { type: 'TXT', strings: [Buffer.from('a=1')] } },
];

describe('RFC 2136 UPDATE messages', () => {
  it('an add: opcode UPDATE, zone SOA/IN, prerequisite NONE/ANY on the instance, records IN with TTL', () => {
    const read = readMessage(buildAdd(0x1234, 'example.test', records, [INSTANCE]));
    assert.ok(read.ok);
    const { message } = read;
    assert.equal(message.id, 0x1234);
    assert.equal(opcodeOf(message.flags), Opcode.UPDATE);
    assert.deepEqual(message.questions, [
      { name: 'example.test', type: ExtraType.SOA, rrclass: RRClass.IN, unicastResponse: false },
    ]);
    assert.equal(message.answers.length, 1);
    const [prerequisite] = message.answers;
    assert.equal(prerequisite?.name, INSTANCE);
    assert.equal(prerequisite?.rrclass, RRClass.NONE);
    assert.equal(prerequisite?.ttl, 0);
    assert.deepEqual(prerequisite?.data, {
      type: 'OTHER',
      code: ExtraType.ANY,
      raw: Buffer.alloc(0),
    });
    assert.deepEqual(
      message.authorities.map((r) => [r.name, r.rrclass, r.ttl, r.data.type]),
      [
        ['_http._tcp.example.test', RRClass.IN, 120, 'PTR'],
        [INSTANCE, RRClass.IN, 120, 'SRV'],
        [INSTANCE, RRClass.IN, 120, 'TXT'],
      ],
    );
  });

  it('a delete: exactly the records given, class NONE, TTL 0, the same RDATA; no prerequisite', () => {
    const read = readMessage(buildDelete(7, 'example.test', records));
    assert.ok(read.ok);
    assert.equal(read.message.answers.length, 0);
    assert.deepEqual(
      read.message.authorities.map((r) => ({
        name: r.name,
        rrclass: r.rrclass,
        ttl: r.ttl,
        data: r.data,
      })),
      records.map((r) => ({ name: r.name, rrclass: RRClass.NONE, ttl: 0, data: r.data })),
    );
  });
});
