import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import {
  type DnsRecord,
  decodePacket,
  encodePacket,
  Flag,
  makeMessage,
  RRType,
} from '../../src/mdns/index.js';

const rec = (name: string, data: DnsRecord['data'], ttl = 120, cacheFlush = false): DnsRecord => ({
  name,
  rrclass: 1,
  cacheFlush,
  ttl,
  data,
});

describe('mdns packet codec', () => {
  const full = makeMessage({
    id: 0,
    flags: 0x8400,
    questions: [
      { name: 'My\\.Echo._echo._tcp.local', type: RRType.ANY, rrclass: 1, unicastResponse: true },
    ],
    answers: [
      rec('_echo._tcp.local', { type: 'PTR', target: 'My\\.Echo._echo._tcp.local' }, 4500),
      rec(
        'My\\.Echo._echo._tcp.local',
        { type: 'SRV', priority: 0, weight: 0, port: 7, target: 'host.local' },
        120,
        true,
      ),
      rec(
        'My\\.Echo._echo._tcp.local',
        { type: 'TXT', strings: [Buffer.from('a=1'), Buffer.from([0, 255])] },
        4500,
        true,
      ),
    ],
    authorities: [rec('host.local', { type: 'NSEC', next: 'host.local', types: [1, 28] })],
    additionals: [
      rec('host.local', { type: 'A', address: '10.0.0.1' }, 120, true),
      rec('host.local', { type: 'AAAA', address: 'fe80::1:2' }, 120, true),
      rec('host.local', { type: 'OTHER', code: 99, raw: Buffer.from('xyz') }),
    ],
  });

  it('round-trips every record type, escapes and the top class bits', () => {
    const { message, problems } = decodePacket(encodePacket(full));
    assert.deepEqual(problems, []);
    assert.deepEqual(message, full);
  });

  it('compresses names', () => {
    const bytes = encodePacket(full);
    assert.ok(bytes.includes(Buffer.from([0xc0])), 'has pointers');
    const occurrences = bytes.toString('latin1').split('\x05local').length - 1;
    // Once in the first name, once in the NSEC next-name, which RFC 6762 §18.14 leaves uncompressed.
    assert.equal(occurrences, 2);
  });

  it('agrees with dns-packet (an independent encoder) on a golden response', () => {
    const golden = dnsPacket.encode({
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [
        {
          type: 'SRV',
          name: 'Printer._ipp._tcp.local',
          ttl: 120,
          flush: true,
          data: { port: 631, target: 'p.local', priority: 0, weight: 0 },
        },
        { type: 'A', name: 'p.local', ttl: 120, data: '192.168.1.9' },
        {
          type: 'TXT',
          name: 'Printer._ipp._tcp.local',
          ttl: 4500,
          data: ['txtvers=1', 'rp=ipp/print'],
        },
      ],
    });
    const { message } = decodePacket(golden);
    assert.ok(message);
    const [srv, a, txt] = message.answers;
    assert.deepEqual(srv?.data, {
      type: 'SRV',
      priority: 0,
      weight: 0,
      port: 631,
      target: 'p.local',
    });
    assert.equal(srv?.cacheFlush, true);
    assert.deepEqual(a?.data, { type: 'A', address: '192.168.1.9' });
    assert.deepEqual(txt?.data.type === 'TXT' && txt.data.strings.map(String), [
      'txtvers=1',
      'rp=ipp/print',
    ]);
    const back = dnsPacket.decode(encodePacket(message));
    assert.equal(back.answers?.length, 3);
  });

  it('keeps the good records of a python-zeroconf reply whose NSEC bitmap is malformed (golden)', () => {
    // Captured from Debian's python3-zeroconf: it writes the NSEC window and length as 16-bit values.
    const hex =
      '000084000000000100000002074d79204563686f055f6563686f045f746370056c6f63616c000021800100000078000f' +
      '000000001e61067a63686f7374c01fc036002f800100000078000ac0360000000400000008c036000180010000007800047f000001';
    const { message, problems } = decodePacket(Buffer.from(hex, 'hex'));
    assert.ok(message);
    assert.equal(message.answers[0]?.data.type, 'SRV');
    assert.deepEqual(
      message.additionals.map((r) => r.data),
      [{ type: 'A', address: '127.0.0.1' }],
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /NSEC/);
  });
});

describe('mdns packet codec: hostile input', () => {
  const header = (qd: number, an: number): Buffer =>
    Buffer.from([0, 0, 0x84, 0, 0, qd, 0, an, 0, 0, 0, 0]);
  const aRecord = Buffer.concat([
    Buffer.from('\x01a\x05local\x00', 'latin1'),
    Buffer.from([0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 1]),
  ]);

  it('drops truncated headers', () => {
    for (let n = 0; n < 12; n++) assert.equal(decodePacket(Buffer.alloc(n)).message, undefined);
  });

  it('keeps what precedes a count that lies', () => {
    const { message, problems } = decodePacket(Buffer.concat([header(0, 5), aRecord]));
    assert.equal(message?.answers.length, 1);
    assert.equal(problems.length, 1);
  });

  it('refuses compression loops, self pointers and forward pointers', () => {
    const loop = Buffer.concat([header(1, 0), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    assert.equal(decodePacket(loop).message, undefined);
    const pair = Buffer.concat([header(1, 0), Buffer.from([1, 0x61, 0xc0, 12, 0, 1, 0, 1])]);
    assert.equal(decodePacket(pair).message, undefined);
    const forward = Buffer.concat([
      header(1, 0),
      Buffer.from([0xc0, 20, 0, 1, 0, 1, 0, 0, 1, 0x61, 0]),
    ]);
    assert.equal(decodePacket(forward).message, undefined);
  });

  it('follows a chain of backward pointers', () => {
    const chain = Buffer.concat([
      header(3, 0),
      Buffer.from('\x05local\x00', 'latin1'),
      Buffer.from([0, 1, 0, 1]),
      Buffer.from([1, 0x62, 0xc0, 12, 0, 1, 0, 1]),
      Buffer.from([1, 0x61, 0xc0, 23, 0, 1, 0, 1]),
    ]);
    const { message } = decodePacket(chain);
    assert.deepEqual(
      message?.questions.map((q) => q.name),
      ['local', 'b.local', 'a.b.local'],
    );
  });

  it('refuses names over 255 octets', () => {
    const label = Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)]);
    const name = Buffer.concat([label, label, label, label, Buffer.from([0])]);
    const { message } = decodePacket(
      Buffer.concat([header(1, 0), name, Buffer.from([0, 1, 0, 1])]),
    );
    assert.equal(message, undefined);
  });

  it('skips a record whose RDATA is bad but keeps the next one', () => {
    const badA = Buffer.concat([
      Buffer.from('\x01b\x05local\x00', 'latin1'),
      Buffer.from([0, 1, 0, 1, 0, 0, 0, 120, 0, 3, 1, 2, 3]),
    ]);
    const { message } = decodePacket(Buffer.concat([header(0, 2), badA, aRecord]));
    assert.equal(message?.answers.length, 1);
    assert.equal(message?.answers[0]?.name, 'a.local');
  });

  it('stops at an RDLENGTH that runs past the packet, keeping earlier records', () => {
    const overrun = Buffer.concat([
      Buffer.from('\x01b\x05local\x00', 'latin1'),
      Buffer.from([0, 1, 0, 1, 0, 0, 0, 120, 0, 200, 1, 2, 3, 4]),
    ]);
    const { message } = decodePacket(Buffer.concat([header(0, 2), aRecord, overrun]));
    assert.equal(message?.answers.length, 1);
  });

  it('refuses names that are not valid UTF-8', () => {
    const bad = Buffer.concat([
      header(0, 1),
      Buffer.from([2, 0xc3, 0x28, 0]),
      Buffer.from([0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]),
    ]);
    assert.equal(decodePacket(bad).message, undefined);
  });

  it('reads datagrams over 9000 bytes (RFC 6762 §17), drops only what UDP cannot carry', () => {
    const answers = Array.from({ length: 300 }, (_, i) => ({
      name: '_big._tcp.local',
      rrclass: 1,
      cacheFlush: false,
      ttl: 4500,
      data: { type: 'PTR' as const, target: `Instance number ${i}._big._tcp.local` },
    }));
    const big = encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers }));
    assert.ok(big.length > 9000, `${big.length} bytes`);
    assert.equal(decodePacket(big).message?.answers.length, 300);
    assert.equal(decodePacket(Buffer.alloc(65536)).message, undefined);
  });
});
