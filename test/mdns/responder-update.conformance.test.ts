/** RFC 6762 §8.4 (updating a record) and RFC 6763 §7.1 (subtypes), on a fake clock. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { ErrorDomain, NetServicesError } from '../../src/error-codes.js';
import { Flag, type MdnsEngine, makeMessage, RRType } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { type FakeTransport, fakeEngine, type SentPacket, settle } from './fake-network.js';

const INSTANCE = 'My Echo._echo._tcp.local';
const responses = (sent: SentPacket[]) => sent.filter((p) => p.message.flags & Flag.QR);
const txtOf = (p: SentPacket) =>
  p.message.answers
    .filter((r) => r.data.type === 'TXT')
    .map((r) => (r.data.type === 'TXT' ? r.data.strings.map(String).join(',') : ''));

describe('mdns responder: updates (RFC 6762 §8.4) and subtypes (RFC 6763 §7.1)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  const publish = (subtypes?: string[]) =>
    publishWithEngine(engine, {
      name: 'My Echo',
      type: '_echo._tcp.',
      domain: 'local.',
      port: 7,
      txt: [Buffer.from('v=1')],
      noRename: false,
      ...(subtypes ? { subtypes } : {}),
    });

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('§8.4: a new TXT is announced at once and one second later, alone, with cache-flush; no goodbye for the old one', async () => {
    const pub = publish();
    await run(3000);
    net.take();
    pub.setTxt([Buffer.from('v=2')]);
    await run(3000);
    const sent = responses(net.take());
    assert.deepEqual(
      sent.map((p) => [p.at, txtOf(p)]),
      [
        [3000, ['v=2']],
        [4000, ['v=2']],
      ],
    );
    for (const p of sent) {
      assert.deepEqual(
        p.message.answers.map((r) => [r.name, r.data.type, r.cacheFlush, r.ttl]),
        [[INSTANCE, 'TXT', true, 4500]],
      );
    }
  });

  it('§8.4: answers carry the new TXT at once', async () => {
    const pub = publish();
    await run(3000);
    pub.setTxt([Buffer.from('v=3')]);
    // Past the repeat and §6.2's one multicast per record per second.
    await run(2500);
    net.take();
    net.inject(
      makeMessage({
        questions: [{ name: INSTANCE, type: RRType.TXT, rrclass: 1, unicastResponse: false }],
      }),
    );
    await run(200);
    const answers = responses(net.take()).flatMap(txtOf);
    assert.deepEqual(answers, ['v=3']);
  });

  it('§8.4: at most ten updates a minute; later ones merge into one announcement of the latest TXT when the window allows', async () => {
    const pub = publish();
    await run(3000);
    net.take();
    for (let n = 1; n <= 12; n++) {
      pub.setTxt([Buffer.from(`n=${n}`)]);
      await run(100);
    }
    await run(70_000);
    const sent = responses(net.take()).filter((p) => txtOf(p).length > 0);
    assert.deepEqual(
      sent.map((p) => [p.at, txtOf(p)[0]]),
      [
        ...Array.from({ length: 10 }, (_, i) => [3000 + i * 100, `n=${i + 1}`]),
        // The repeat of the tenth goes out before updates 11 and 12 defer the rest.
        [63_000, 'n=12'],
        [64_000, 'n=12'],
      ],
    );
  });

  it('refuses a TXT that cannot be sent, as publish does, and keeps the old one', async () => {
    const pub = publish();
    await run(3000);
    assert.throws(
      () =>
        pub.setTxt([
          Buffer.alloc(255, 0x61),
          ...Array.from({ length: 40 }, () => Buffer.alloc(250, 0x62)),
        ]),
      (e: { domain: number; code: number }) =>
        e.domain === ErrorDomain.NetServices && e.code === NetServicesError.BadArgument,
    );
    net.take();
    await run(5000);
    assert.deepEqual(responses(net.take()), []);
  });

  it('§7.1: subtype PTRs are announced, answered, and said goodbye to', async () => {
    const pub = publish(['_printer']);
    await run(3000);
    const announced = responses(net.take())[0]?.message.answers ?? [];
    assert.ok(
      announced.find(
        (r) =>
          r.name === '_printer._sub._echo._tcp.local' &&
          r.data.type === 'PTR' &&
          r.data.target === INSTANCE &&
          !r.cacheFlush,
      ),
    );
    net.inject(
      makeMessage({
        questions: [
          {
            name: '_printer._sub._echo._tcp.local',
            type: RRType.PTR,
            rrclass: 1,
            unicastResponse: false,
          },
        ],
      }),
    );
    await run(200);
    const reply = responses(net.take())[0]?.message;
    assert.deepEqual(
      reply?.answers.map((r) => [r.name, r.data.type]),
      [['_printer._sub._echo._tcp.local', 'PTR']],
    );
    // RFC 6763 §12: the instance's SRV and TXT come along.
    assert.ok(reply?.additionals.some((r) => r.data.type === 'SRV'));
    await pub.stop();
    const byes = responses(net.take()).flatMap((p) => p.message.answers);
    assert.ok(byes.find((r) => r.name === '_printer._sub._echo._tcp.local' && r.ttl === 0));
  });

  it('§9: the meta-query lists our type only, not its subtypes', async () => {
    publish(['_printer']);
    await run(3000);
    net.take();
    net.inject(
      makeMessage({
        questions: [
          {
            name: '_services._dns-sd._udp.local',
            type: RRType.PTR,
            rrclass: 1,
            unicastResponse: false,
          },
        ],
      }),
    );
    await run(200);
    const answers = responses(net.take()).flatMap((p) => p.message.answers);
    assert.deepEqual(
      answers.map((r) => (r.data.type === 'PTR' ? r.data.target : '')),
      ['_echo._tcp.local'],
    );
  });
});
