/** RFC 6762 responder conformance on a fake clock with a scripted peer. */
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { NetServicesError } from '../../src/error-codes.js';
import { type DnsRecord, Flag, MdnsEngine, makeMessage, RRType } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { FakeTransport, fakeEngine, IFACE, type SentPacket, settle } from './fake-network.js';

const INSTANCE = 'My Echo._echo._tcp.local';
const srv = (port: number, name = INSTANCE): DnsRecord => ({
  name,
  rrclass: 1,
  cacheFlush: true,
  ttl: 120,
  data: { type: 'SRV', priority: 0, weight: 0, port, target: 'peer.local' },
});
const TXT: DnsRecord = {
  name: INSTANCE,
  rrclass: 1,
  cacheFlush: true,
  ttl: 4500,
  data: { type: 'TXT', strings: [Buffer.from('a=1')] },
};
const query = (name: string, type: number, unicastResponse = false) => ({
  name,
  type,
  rrclass: 1,
  unicastResponse,
});
/** Our service's PTR record as another host would list or send it. */
const ptrRecord = (ttl: number): DnsRecord => ({
  name: '_echo._tcp.local',
  rrclass: 1,
  cacheFlush: false,
  ttl,
  data: { type: 'PTR', target: INSTANCE },
});
const probes = (sent: SentPacket[]) =>
  sent.filter((p) => !(p.message.flags & Flag.QR) && p.message.authorities.length > 0);
const responses = (sent: SentPacket[]) => sent.filter((p) => p.message.flags & Flag.QR);

describe('mdns responder conformance (RFC 6762)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const publish = (name = 'My Echo', noRename = false) =>
    publishWithEngine(engine, {
      name,
      type: '_echo._tcp.',
      domain: 'local.',
      port: 7,
      txt: [Buffer.from('a=1')],
      noRename,
    });
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('§8.1: probes three times 250 ms apart after a 0-250 ms delay, QU first, records in authority', async () => {
    const pub = publish();
    await run(2000);
    const sent = probes(net.take());
    assert.deepEqual(
      sent.map((p) => p.at),
      [125, 375, 625],
    );
    assert.deepEqual(
      sent.map((p) => p.message.questions[0]?.unicastResponse),
      [true, false, false],
    );
    const first = sent[0]?.message;
    assert.deepEqual(
      first?.questions.map((q) => [q.name, q.type]),
      [
        [INSTANCE, RRType.ANY],
        ['me.local', RRType.ANY],
      ],
    );
    assert.deepEqual(first?.authorities.map((r) => r.data.type).sort(), [
      'A',
      'AAAA',
      'SRV',
      'TXT',
    ]);
    assert.equal(await pub.registered, 'My Echo');
  });

  it('§8.3: announces twice, one second apart, unique records with cache-flush', async () => {
    publish();
    await run(3000);
    const announcements = responses(net.take());
    assert.deepEqual(
      announcements.map((p) => p.at),
      [875, 1875],
    );
    const records = announcements[0]?.message.answers ?? [];
    assert.ok(
      records.find((r) => r.data.type === 'PTR' && r.name === '_echo._tcp.local' && !r.cacheFlush),
    );
    assert.ok(records.find((r) => r.data.type === 'SRV' && r.cacheFlush));
    assert.ok(records.find((r) => r.data.type === 'AAAA' && r.data.address === 'fe80::1'));
  });

  it('§9: renames to "Name (2)" after a conflicting response while probing', async () => {
    const pub = publish();
    await run(200);
    net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [srv(9999)] }));
    await run(2000);
    assert.equal(await pub.registered, 'My Echo (2)');
    assert.ok(
      probes(net.take()).some(
        (p) => p.message.questions[0]?.name === 'My Echo (2)._echo._tcp.local',
      ),
    );
  });

  it('§9: a conflict on "Name (9007199254740992)" renames to "Name (9007199254740993)"', async () => {
    const big = 'Name (9007199254740992)';
    const pub = publish(big);
    await run(200);
    net.inject(
      makeMessage({ flags: Flag.QR | Flag.AA, answers: [srv(9999, `${big}._echo._tcp.local`)] }),
    );
    await run(2000);
    assert.equal(await pub.registered, 'Name (9007199254740993)');
  });

  it('refuses to rename with noRename: Collision', async () => {
    const pub = publish('My Echo', true);
    await run(200);
    net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [srv(9999)] }));
    await assert.rejects(
      pub.registered,
      (e: { code?: number }) => e.code === NetServicesError.Collision,
    );
  });

  it('§8.1: after 15 conflicts within 10 s, waits 5 s before probing again', async () => {
    const pub = publish();
    let name = 'My Echo';
    for (let i = 0; i < 15; i++) {
      await run(130);
      net.inject(makeMessage({ flags: Flag.QR, answers: [srv(9999, `${name}._echo._tcp.local`)] }));
      name = `My Echo (${i + 2})`;
    }
    net.take();
    await run(4990);
    assert.equal(probes(net.take()).length, 0);
    await run(20);
    assert.equal(probes(net.take()).length, 1);
    await run(1000);
    assert.equal(await pub.registered, 'My Echo (16)');
  });

  it('§8.2: loses a simultaneous-probe tie-break to later data and waits 1 s', async () => {
    publish();
    await run(130);
    net.take();
    net.inject(
      makeMessage({
        questions: [query(INSTANCE, RRType.ANY, true)],
        authorities: [TXT, srv(60000)],
      }),
    );
    await run(990);
    assert.equal(probes(net.take()).length, 0);
    await run(20);
    assert.equal(probes(net.take()).length, 1);
  });

  it('§8.2: wins a tie-break against earlier data and keeps probing', async () => {
    publish();
    await run(130);
    net.take();
    net.inject(
      makeMessage({ questions: [query(INSTANCE, RRType.ANY, true)], authorities: [TXT, srv(1)] }),
    );
    await run(260);
    assert.equal(probes(net.take()).length, 1);
  });

  describe('answering', () => {
    beforeEach(async () => {
      publish();
      await run(3000);
      net.take();
    });

    it('§6: answers a unique question at once, with addresses of the interface as additionals', async () => {
      net.inject(makeMessage({ questions: [query(INSTANCE, RRType.SRV)] }));
      await run(0);
      const [reply] = net.take();
      assert.equal(reply?.at, 3000);
      assert.deepEqual(
        reply?.message.answers.map((r) => r.data.type),
        ['SRV'],
      );
      assert.deepEqual(reply?.message.additionals.map((r) => r.data.type).sort(), ['A', 'AAAA']);
    });

    it('§6.1: a question for a type our name lacks gets an NSEC listing the types it has', async () => {
      net.inject(
        makeMessage({
          questions: [
            query('me.local', RRType.TXT),
            query(INSTANCE, RRType.A),
            query('someone-else.local', RRType.TXT),
            query('me.local', RRType.ANY),
          ],
        }),
      );
      await run(0);
      const [reply] = responses(net.take());
      const nsecs = (reply?.message.answers ?? []).filter((r) => r.data.type === 'NSEC');
      assert.deepEqual(
        nsecs.map((r) => [
          r.name,
          r.data.type === 'NSEC' && r.data.next,
          r.data.type === 'NSEC' && r.data.types,
          r.cacheFlush,
        ]),
        [
          ['me.local', 'me.local', [RRType.A, RRType.AAAA], true],
          [INSTANCE, INSTANCE, [RRType.TXT, RRType.SRV], true],
        ],
      );
      // The ANY question is answered with the records themselves.
      assert.deepEqual(
        reply?.message.answers
          .filter((r) => r.data.type !== 'NSEC')
          .map((r) => r.data.type)
          .sort(),
        ['A', 'AAAA'],
      );
    });

    it('§6: answers a shared question after 20-120 ms, with SRV, TXT and addresses (RFC 6763 §12)', async () => {
      net.inject(makeMessage({ questions: [query('_echo._tcp.local', RRType.PTR)] }));
      await run(19);
      assert.equal(net.take().length, 0);
      await run(101);
      const [reply] = net.take();
      assert.equal(reply?.at, 3070);
      assert.deepEqual(reply?.message.additionals.map((r) => r.data.type).sort(), [
        'A',
        'AAAA',
        'SRV',
        'TXT',
      ]);
    });

    it('§7.4: a shared answer another responder sends first (TTL not lower) is not sent again', async () => {
      net.inject(makeMessage({ questions: [query('_echo._tcp.local', RRType.PTR)] }));
      await run(10);
      // Another responder answers within our 20-120 ms wait, with the same PTR and a full TTL.
      net.inject(makeMessage({ flags: Flag.QR, answers: [ptrRecord(4500)] }));
      await run(200);
      assert.deepEqual(responses(net.take()), [], 'answered again what was just answered');
      // With a lower TTL than ours, the copy does not count: we answer (after the 1 s rate limit).
      await run(1000);
      net.inject(makeMessage({ questions: [query('_echo._tcp.local', RRType.PTR)] }));
      await run(10);
      net.inject(makeMessage({ flags: Flag.QR, answers: [ptrRecord(100)] }));
      await run(200);
      const [reply] = responses(net.take());
      assert.equal(reply?.message.answers[0]?.data.type, 'PTR');
      assert.equal(reply?.message.answers[0]?.ttl, 4500);
    });

    it('§7.2: holds a truncated query 400-500 ms and counts the known answers that follow', async () => {
      const known = ptrRecord(4500);
      const truncated = makeMessage({
        flags: Flag.TC,
        questions: [query('_echo._tcp.local', RRType.PTR)],
      });
      // Our PTR is listed in the continuation packet: nothing to answer.
      net.inject(truncated);
      await run(100);
      net.inject(makeMessage({ answers: [known] }));
      await run(600);
      assert.deepEqual(responses(net.take()), []);
      // Without it, the answer leaves after the wait, not at once and not after 20-120 ms alone.
      await run(1000);
      net.inject(truncated);
      await run(399);
      assert.deepEqual(responses(net.take()), []);
      await run(300);
      const [reply] = responses(net.take());
      assert.equal(reply?.message.answers[0]?.data.type, 'PTR');
      // Asked at 4.7 s; the 400-500 ms wait replaces the 20-120 ms one of shared answers.
      assert.ok(
        reply !== undefined && reply.at >= 5100 && reply.at <= 5200,
        `answered at ${reply?.at}`,
      );
    });

    it('§7.1: suppresses answers the querier already knows', async () => {
      const known = ptrRecord(3000);
      net.inject(
        makeMessage({ questions: [query('_echo._tcp.local', RRType.PTR)], answers: [known] }),
      );
      await run(200);
      assert.equal(net.take().length, 0);
      net.inject(
        makeMessage({
          questions: [query('_echo._tcp.local', RRType.PTR)],
          answers: [{ ...known, ttl: 2000 }],
        }),
      );
      await run(200);
      assert.equal(
        net.take().length,
        1,
        'a known answer with under half its TTL left does not suppress',
      );
    });

    it('§6.7: answers a legacy query by unicast, echoing ID and question, TTL at most 10 s', async () => {
      net.inject(makeMessage({ id: 77, questions: [query(INSTANCE, RRType.SRV)] }), {
        port: 40000,
      });
      await run(0);
      const [reply] = net.take();
      assert.equal(reply?.kind, 'unicast');
      assert.equal(reply?.port, 40000);
      assert.equal(reply?.message.id, 77);
      assert.equal(reply?.message.questions[0]?.name, INSTANCE);
      assert.ok(reply?.message.answers.every((r) => r.ttl <= 10 && !r.cacheFlush));
    });

    it('§6: multicasts a record at most once per second; QU in that second gets unicast', async () => {
      net.inject(makeMessage({ questions: [query(INSTANCE, RRType.SRV)] }));
      await run(0);
      net.inject(makeMessage({ questions: [query(INSTANCE, RRType.SRV)] }));
      await run(0);
      assert.equal(net.take().length, 1);
      net.inject(makeMessage({ questions: [query(INSTANCE, RRType.SRV, true)] }));
      await run(0);
      assert.deepEqual(
        net.take().map((p) => p.kind),
        ['unicast'],
      );
      await run(1000);
      net.inject(makeMessage({ questions: [query(INSTANCE, RRType.SRV)] }));
      await run(0);
      assert.deepEqual(
        net.take().map((p) => p.kind),
        ['multicast'],
      );
    });

    it('§9: a conflicting response after announcing sends it back to probing', async () => {
      net.inject(makeMessage({ flags: Flag.QR, answers: [srv(9999)] }));
      await run(1000);
      assert.ok(probes(net.take()).length >= 1);
    });

    it('§13: a link that comes up gets our announcements, with its own address; questions go out again', async () => {
      const eth1 = {
        name: 'eth1',
        addresses: [{ address: '10.0.1.1', netmask: '255.255.255.0', family: 4 as const }],
      };
      const release = engine.querier.ask('other.local', RRType.A);
      await run(10_000);
      net.take();
      net.setInterfaces([IFACE, eth1]);
      await run(5000); // the next interface check
      const sent = net.take();
      const announced = responses(sent).filter((p) => p.interfaceName === 'eth1');
      assert.ok(announced.length > 0, 'nothing announced on the new link');
      const addresses = announced[0]?.message.answers.flatMap((r) =>
        r.data.type === 'A' || r.data.type === 'AAAA' ? [r.data.address] : [],
      );
      assert.deepEqual(addresses, ['10.0.1.1'], 'the new link must get its own address only');
      assert.ok(
        announced[0]?.message.answers.some((r) => r.data.type === 'SRV'),
        'the service is announced too',
      );
      const asked = sent.filter(
        (p) => !(p.message.flags & Flag.QR) && p.message.questions.length > 0,
      );
      assert.ok(
        asked.some((p) => p.message.questions.some((q) => q.name === 'other.local')),
        'the question was not asked again',
      );
      release();
    });

    it("§10.1: a peer's goodbye for our record is answered at once, then at most every 250 ms", async () => {
      const other: DnsRecord = {
        ...ptrRecord(0),
        data: { type: 'PTR', target: 'Else._echo._tcp.local' },
      };
      net.inject(makeMessage({ flags: Flag.QR, answers: [other] }));
      await run(0);
      assert.deepEqual(net.take(), [], 'a goodbye for a record that is not ours needs no answer');
      net.inject(makeMessage({ flags: Flag.QR, answers: [ptrRecord(0)] }));
      await run(0);
      const [rescue] = responses(net.take());
      assert.equal(rescue?.at, 3000);
      assert.deepEqual(
        rescue?.message.answers.map((r) => [r.data.type, r.ttl]),
        [['PTR', 4500]],
      );
      // A second goodbye 100 ms later waits until 250 ms after the first rescue.
      await run(100);
      net.inject(makeMessage({ flags: Flag.QR, answers: [ptrRecord(0)] }));
      await run(149);
      assert.deepEqual(net.take(), []);
      await run(1);
      const [again] = responses(net.take());
      assert.equal(again?.at, 3250);
      assert.equal(again?.message.answers[0]?.ttl, 4500);
    });

    it('§10.1: stop sends goodbyes (TTL 0)', async () => {
      const pub = publishWithEngine(engine, {
        name: 'Other',
        type: '_x._tcp.',
        domain: 'local.',
        port: 1,
        txt: [],
        noRename: false,
      });
      await run(3000);
      net.take();
      await pub.stop();
      await settle();
      const [bye] = net.take();
      assert.ok(bye && bye.message.answers.length > 0);
      assert.ok(bye.message.answers.every((r) => r.ttl === 0));
      assert.ok(
        !bye.message.answers.some((r) => r.data.type === 'A'),
        'host addresses stay while another service uses them',
      );
    });
  });

  it('§6.2: a host without IPv6 addresses says so with an NSEC beside its A record', async () => {
    engine.close();
    clock = new FakeClock();
    // One interface with an IPv4 address only.
    net = new (class extends FakeTransport {
      override interfaces() {
        return [{ ...IFACE, addresses: IFACE.addresses.filter((a) => a.family === 4) }];
      }
    })(clock);
    engine = new MdnsEngine({ clock, random: () => 0.5, hostName: 'me.local' }, net);
    await engine.ready();
    publish();
    await run(3000);
    net.take();
    net.inject(makeMessage({ questions: [query('me.local', RRType.A)] }));
    await run(0);
    const [reply] = responses(net.take());
    assert.deepEqual(
      reply?.message.answers.map((r) => r.data.type),
      ['A'],
    );
    const nsec = reply?.message.additionals.find((r) => r.data.type === 'NSEC');
    assert.deepEqual(nsec?.data.type === 'NSEC' && nsec.data.types, [RRType.A]);
    // Asked for AAAA, it answers with the NSEC itself.
    await run(1000);
    net.inject(makeMessage({ questions: [query('me.local', RRType.AAAA)] }));
    await run(0);
    const [negative] = responses(net.take());
    assert.deepEqual(
      negative?.message.answers.map((r) => r.data.type),
      ['NSEC'],
    );
  });
});
