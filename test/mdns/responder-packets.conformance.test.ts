/** RFC 6762 §17 for the responder: every answer fits the link, however many instances a type has. */
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { type DnsMessage, Flag, MdnsEngine, makeMessage, RRType } from '../../src/mdns/index.js';
import type { MtuReader } from '../../src/mdns/link-mtu.js';
import { Responder } from '../../src/mdns/responder.js';
import { FakeTransport, type SentPacket, settle } from './fake-network.js';

const TYPE = '_echo._tcp.local';
const COUNT = 300;
const ptrQuestion = { name: TYPE, type: RRType.PTR, rrclass: 1, unicastResponse: false };
const targets = (packets: readonly SentPacket[]) =>
  packets.flatMap((p) =>
    p.message.answers.flatMap((r) =>
      r.data.type === 'PTR' && r.name === TYPE ? [r.data.target] : [],
    ),
  );

describe('mdns responder packet sizes (RFC 6762 §17)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };

  /** An engine whose responder reads link MTUs with `mtu`, with `COUNT` services of one type announced. */
  async function publishMany(mtu: MtuReader): Promise<void> {
    clock = new FakeClock();
    net = new FakeTransport(clock);
    engine = new MdnsEngine({ clock, random: () => 0.5, hostName: 'me.local' }, net);
    await engine.ready();
    const responder = new Responder(engine, 'me.local', mtu);
    const registered = Array.from(
      { length: COUNT },
      (_, i) =>
        responder.register({
          name: `Living Room Speaker ${i}`,
          type: TYPE,
          port: 1000 + i,
          txt: [Buffer.from('path=/api/v1'), Buffer.from('model=Speaker Pro 3')],
          noRename: false,
        }).registered,
    );
    await run(3000);
    await Promise.all(registered);
    // Past the announcements' one-second rate limit.
    await run(1000);
    net.take();
  }
  afterEach(() => engine.close());

  const ask = async (message: DnsMessage, from = {}): Promise<SentPacket[]> => {
    net.inject(message, from);
    await run(1000);
    return net.take();
  };

  it(`answers a browse of ${COUNT} instances in datagrams of at most 9000 bytes, every PTR carried`, async () => {
    await publishMany(() => 65536); // loopback's MTU: 9000 bytes decide
    const sent = await ask(makeMessage({ questions: [ptrQuestion] }));
    assert.ok(sent.length > 1, 'one packet');
    for (const p of sent) assert.ok(p.size + 48 <= 9000, `${p.size}-byte datagram`);
    const carried = targets(sent);
    assert.equal(carried.length, COUNT);
    assert.equal(new Set(carried).size, COUNT);
  });

  it('stays within the link MTU where it is known, and within 1500 where it is not', async () => {
    for (const mtu of [() => 1280, () => undefined] as MtuReader[]) {
      await publishMany(mtu);
      const sent = await ask(makeMessage({ questions: [ptrQuestion] }));
      const limit = mtu('eth0') ?? 1500;
      for (const p of sent)
        assert.ok(p.size + 48 <= limit, `${p.size}-byte datagram, MTU ${limit}`);
      assert.equal(new Set(targets(sent)).size, COUNT);
      engine.close();
    }
  });

  it('a QU question recently answered gets unicast packets within the limit, all PTRs carried', async () => {
    await publishMany(() => 9000);
    await ask(makeMessage({ questions: [ptrQuestion] }));
    const sent = await ask(makeMessage({ questions: [{ ...ptrQuestion, unicastResponse: true }] }));
    assert.ok(sent.every((p) => p.kind === 'unicast'));
    for (const p of sent) assert.ok(p.size + 48 <= 9000, `${p.size}-byte datagram`);
    assert.equal(new Set(targets(sent)).size, COUNT);
  });

  it('§17: kept QU replies outlive a read of the same MTU, and follow a changed one', async () => {
    let mtu = 9000;
    await publishMany(() => mtu);
    // Multicast first, so that the QU question in the next second gets unicast (§5.4).
    const quReplies = async (): Promise<SentPacket[]> => {
      await ask(makeMessage({ questions: [ptrQuestion] }));
      return ask(makeMessage({ questions: [{ ...ptrQuestion, unicastResponse: true }] }));
    };
    const first = await quReplies();
    assert.ok(first.length > 0 && first.every((p) => p.kind === 'unicast'));
    await run(5000); // the MTU is read again (every 5 s), unchanged
    const again = await quReplies();
    assert.equal(again.length, first.length);
    for (const [i, p] of again.entries()) assert.equal(p.bytes, first[i]?.bytes, 'the same packet');
    mtu = 1500;
    await run(5000);
    const smaller = await quReplies();
    assert.ok(smaller.length > first.length, `${smaller.length} packets at 1500`);
    for (const p of smaller) assert.ok(p.size + 48 <= 1500, `${p.size}-byte datagram`);
    assert.equal(new Set(targets(smaller)).size, COUNT);
  });

  it('§6.7: a legacy query gets one reply within the limit, TC set for what it leaves out', async () => {
    await publishMany(() => 1500);
    const sent = await ask(makeMessage({ id: 9, questions: [ptrQuestion] }), { port: 40000 });
    assert.equal(sent.length, 1);
    const [reply] = sent;
    assert.ok(reply !== undefined && reply.size + 48 <= 1500, `${reply?.size}-byte reply`);
    assert.equal(reply.message.id, 9);
    assert.ok(reply.message.flags & Flag.TC);
    assert.ok(targets(sent).length > 0);
  });
});
