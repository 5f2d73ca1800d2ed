/**
 * The fast name reader of message-reader.ts against the shared readName
 * (src/dns/dns-name.ts): the same name and end offset for every name, plain
 * or not (spaces, dots and backslashes inside labels, UTF-8, control bytes),
 * with compression pointers; and the same verdict on damaged and random bytes
 * (both throw, or both read the same).
 */
import assert from 'node:assert/strict';
import { readName } from '../../src/dns/dns-name.js';
import { readNameFast } from '../../src/dns/message-reader.js';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { makeMessage, RRType } from '../../src/dns/wire-types.js';

function outcome(read: typeof readName, buf: Buffer, offset: number): string {
  try {
    return JSON.stringify(read(buf, offset));
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

/** Every offset of a message that starts a name or anything else. */
function sameEverywhere(buf: Buffer): void {
  for (let offset = 0; offset < buf.length; offset++)
    assert.equal(
      outcome(readNameFast, buf, offset),
      outcome(readName, buf, offset),
      `at ${offset}`,
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
});
