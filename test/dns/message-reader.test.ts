/**
 * The fast name reader of message-reader.ts against the shared readName
 * (src/dns/dns-name.ts): the same name and end offset for every name, plain
 * or not (spaces, dots and backslashes inside labels, UTF-8, control bytes),
 * with compression pointers; and the same verdict on damaged and random bytes
 * (both throw, or both read the same).
 */
import assert from 'node:assert/strict';
import { readName } from '../../src/dns/dns-name.js';
import { NamesRead, readMessage, readNameFast } from '../../src/dns/message-reader.js';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { makeMessage, RRType } from '../../src/dns/wire-types.js';
import { addressRecord, srvRecord } from '../mdns/records.js';

function outcome(read: typeof readName, buf: Buffer, offset: number): string {
  try {
    return JSON.stringify(read(buf, offset));
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

/**
 * Every offset of a message that starts a name or anything else; then again
 * with the names read so far remembered (NamesRead), offset by offset, so
 * that each pointer back lands on a name read before.
 */
function sameEverywhere(buf: Buffer): void {
  for (let offset = 0; offset < buf.length; offset++)
    assert.equal(
      outcome(readNameFast, buf, offset),
      outcome(readName, buf, offset),
      `at ${offset}`,
    );
  const names = new NamesRead();
  const remembering = (b: Buffer, offset: number): { name: string; next: number } =>
    readNameFast(b, offset, names);
  for (let offset = 0; offset < buf.length; offset++)
    assert.equal(
      outcome(remembering, buf, offset),
      outcome(readName, buf, offset),
      `at ${offset}, with the names read before`,
    );
}

describe('unicast message reader: the fast name reader agrees with readName', () => {
  it('reads plain names, escaped labels, UTF-8 and compressed names as readName does', () => {
    const names = [
      'Printer._ipp._tcp.example.test',
      'My Printer._ipp._tcp.example.test',
      'My\\.Printer._ipp._tcp.example.test',
      'back\\\\slash._ipp._tcp.example.test',
      'café \u{1F5A8}._ipp._tcp.example.test',
      'tab\\009x._ipp._tcp.example.test',
      'del\\127x._ipp._tcp.example.test',
      'host.example.test',
    ];
    const packet = encodePacket(
      makeMessage({
        questions: names.map((name) => ({
          name,
          type: RRType.SRV,
          rrclass: 1,
          unicastResponse: false,
        })),
      }),
    );
    sameEverywhere(packet);
    let offset = 12;
    for (const name of names) {
      const read = readNameFast(packet, offset);
      assert.equal(read.name, name);
      offset = read.next + 4;
    }
  });

  it('gives the same verdict on 1,000 damaged and random buffers', () => {
    const packet = encodePacket(
      makeMessage({
        questions: [
          { name: 'A b._http._tcp.example.test', type: 33, rrclass: 1, unicastResponse: false },
          { name: 'C._http._tcp.example.test', type: 33, rrclass: 1, unicastResponse: false },
        ],
      }),
    );
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 1000; i++) {
      const buf =
        i % 2 === 0
          ? Buffer.from(packet)
          : Buffer.from(Array.from({ length: 1 + random(80) }, () => random(256)));
      if (i % 2 === 0) for (let k = 0; k < 3; k++) buf[random(buf.length)] = random(256);
      sameEverywhere(buf);
    }
  });

  it('a pointer to a name read before takes that name, within the 255-octet limit as readName counts it', () => {
    // 'x' * 60 four times is 245 octets with its lengths and root; a pointer to it from after
    // two more labels makes 251, one more label 257: readName refuses that name.
    const long = Array.from({ length: 4 }, () => 'x'.repeat(60)).join('.');
    const packet = encodePacket(
      makeMessage({
        questions: [long, `ab.${long}`, `abc.de.${long}`, `a.bcd.e.${long}`].map((name) => ({
          name,
          type: RRType.A,
          rrclass: 1,
          unicastResponse: false,
        })),
      }),
    );
    sameEverywhere(packet);
    // By hand (the encoder writes no such name): a second question of ten octets then a pointer
    // to the first name: 11 + 245 = 256 octets, one too many.
    const label = (text: string): Buffer =>
      Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);
    const first = Buffer.concat([...long.split('.').map(label), Buffer.from([0])]);
    const over = Buffer.concat([
      Buffer.from([0, 1, 0x84, 0, 0, 2, 0, 0, 0, 0, 0, 0]),
      first,
      Buffer.from([0, 1, 0, 1]),
      label('abcdefghij'),
      Buffer.from([0xc0, 12, 0, 1, 0, 1]),
    ]);
    sameEverywhere(over);
    assert.equal(outcome(readName, over, 12 + first.length + 4), 'throws NameError');
    const read = readMessage(over);
    assert.equal(read.ok, false);
  });

  it('readMessage reads an answer whose owner and SRV target point back at names read before', () => {
    const name = 'My Printer._ipp._tcp.example.test';
    const packet = encodePacket(
      makeMessage({
        id: 9,
        flags: 0x8400,
        questions: [{ name, type: RRType.SRV, rrclass: 1, unicastResponse: false }],
        // Unicast DNS has no cache-flush bit.
        answers: [
          { ...srvRecord(name, 'host.example.test', 631, 60), cacheFlush: false },
          { ...addressRecord('host.example.test', '192.0.2.7', 60), cacheFlush: false },
        ],
      }),
    );
    sameEverywhere(packet);
    const read = readMessage(packet);
    assert.ok(read.ok);
    assert.deepEqual(
      read.message.answers.map((r) => [r.name, r.data]),
      [
        [name, { type: 'SRV', priority: 0, weight: 0, port: 631, target: 'host.example.test' }],
        ['host.example.test', { type: 'A', address: '192.0.2.7' }],
      ],
    );
  });
});
