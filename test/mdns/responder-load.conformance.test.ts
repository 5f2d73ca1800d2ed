/**
 * The responder's caches under repeated queries (RFC 6762 §5.4, §6.7): the
 * record set and encoded unicast replies are reused, but every reply still
 * echoes its query's ID and follows a change of our records at once.
 */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import type { RecordData } from '../../src/dns/wire-types.js';
import {
  type DnsQuestion,
  encodePacket,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
} from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { type FakeTransport, fakeEngine, IFACE, type SentPacket, settle } from './fake-network.js';
import { srvRecord } from './records.js';

const INSTANCE = 'My Echo._echo._tcp.local';
const txtOf = (p: SentPacket | undefined) =>
  (p?.message.answers ?? []).flatMap((r) =>
    r.data.type === 'TXT' ? [r.data.strings.map(String).join(',')] : [],
  );
/** What `pick` reads from each answer of the unicast packets sent so far (taking them). */
const unicastAnswers = (net: FakeTransport, pick: (data: RecordData) => string | undefined) =>
  net
    .take()
    .filter((p) => p.kind === 'unicast')
    .flatMap((p) => p.message.answers)
    .flatMap((r) => pick(r.data) ?? []);
const ptrTarget = (d: RecordData) => (d.type === 'PTR' ? d.target : undefined);
const question = (type: number, unicastResponse = false, name = INSTANCE) => ({
  name,
  type,
  rrclass: 1,
  unicastResponse,
});

describe('mdns responder: repeated queries (reused replies)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  // A plain query's bytes (kept by the engine's QueryMemo, answered from the replier's memo),
  // and the same query with a byte after its questions: decoded afresh and worked out anew.
  const plain = (questions: DnsQuestion[], id = 0) => encodePacket(makeMessage({ id, questions }));
  const afresh = (questions: DnsQuestion[], id = 0) =>
    Buffer.concat([plain(questions, id), Buffer.from([0])]);
  const asked: DnsQuestion[][] = [
    [question(RRType.PTR, false, '_echo._tcp.local')],
    [question(RRType.SRV)],
    [question(RRType.TXT)],
    [question(RRType.A, false, 'me.local')],
    [question(RRType.AAAA, false, 'me.local')],
    // A type the name lacks: an NSEC (§6.1).
    [question(13)],
    [question(RRType.ANY)],
    [question(RRType.SRV), question(RRType.TXT)],
  ];
  const publish = (name = 'My Echo') =>
    publishWithEngine(engine, {
      name,
      type: '_echo._tcp.',
      domain: 'local.',
      port: 7,
      txt: [Buffer.from('v=1')],
      noRename: false,
    });

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('§6.7: the same legacy question twice gets two replies, each with its own ID and the name as asked', async () => {
    publish();
    await run(3000);
    net.take();
    net.inject(makeMessage({ id: 11, questions: [question(RRType.TXT)] }), { port: 40000 });
    net.inject(makeMessage({ id: 12, questions: [question(RRType.TXT)] }), { port: 40001 });
    net.inject(
      makeMessage({ id: 13, questions: [question(RRType.TXT, false, INSTANCE.toUpperCase())] }),
      { port: 40002 },
    );
    await run(0);
    const replies = net.take();
    assert.deepEqual(
      replies.map((p) => [p.kind, p.port, p.message.id, p.message.questions[0]?.name, txtOf(p)]),
      [
        ['unicast', 40000, 11, INSTANCE, ['v=1']],
        ['unicast', 40001, 12, INSTANCE, ['v=1']],
        ['unicast', 40002, 13, INSTANCE.toUpperCase(), ['v=1']],
      ],
    );
  });

  it('§6.7, §8.4: a legacy reply after a TXT change carries the new TXT', async () => {
    const pub = publish();
    await run(3000);
    net.inject(makeMessage({ id: 1, questions: [question(RRType.TXT)] }), { port: 40000 });
    await run(0);
    net.take();
    pub.setTxt([Buffer.from('v=2')]);
    net.inject(makeMessage({ id: 2, questions: [question(RRType.TXT)] }), { port: 40000 });
    await run(0);
    const reply = net.take().find((p) => p.kind === 'unicast');
    assert.deepEqual(txtOf(reply), ['v=2']);
  });

  it('§5.4: a QU reply after a TXT change carries the new TXT', async () => {
    const pub = publish();
    await run(3000);
    // Multicast now, so the QU question in the next second gets unicast (and is kept).
    net.inject(makeMessage({ questions: [question(RRType.TXT)] }));
    await run(0);
    net.take();
    net.inject(makeMessage({ questions: [question(RRType.TXT, true)] }));
    await run(0);
    assert.deepEqual(txtOf(net.take().find((p) => p.kind === 'unicast')), ['v=1']);
    pub.setTxt([Buffer.from('v=2')]);
    await run(0);
    net.take();
    // The new TXT was just announced: a QU question now gets unicast.
    net.inject(makeMessage({ questions: [question(RRType.TXT, true)] }));
    await run(0);
    assert.deepEqual(txtOf(net.take().find((p) => p.kind === 'unicast')), ['v=2']);
  });

  it('§7.1: a repeated query with the answer as a known answer gets no reply', async () => {
    publish();
    await run(3000);
    net.take();
    net.inject(makeMessage({ id: 5, questions: [question(RRType.TXT)] }), { port: 40000 });
    await run(0);
    const [first] = net.take();
    assert.ok(first !== undefined && first.message.flags & Flag.QR);
    const known = first.message.answers.map((r) => ({ ...r, ttl: 4500 }));
    net.inject(makeMessage({ id: 6, questions: [question(RRType.TXT)], answers: known }), {
      port: 40000,
    });
    await run(0);
    assert.deepEqual(net.take(), []);
  });

  it('§6.7: a kept legacy reply is byte for byte the one worked out afresh', async () => {
    publish();
    await run(3000);
    net.take();
    for (const questions of asked) {
      net.injectBytes(plain(questions, 7), { port: 40000 });
      net.injectBytes(plain(questions, 7), { port: 40001 });
      net.injectBytes(afresh(questions, 7), { port: 40002 });
      await run(0);
      const replies = net.take();
      assert.deepEqual(
        replies.map((p) => [p.kind, p.port]),
        [
          ['unicast', 40000],
          ['unicast', 40001],
          ['unicast', 40002],
        ],
        JSON.stringify(questions),
      );
      const [first, kept, fresh] = replies.map((p) => p.bytes);
      assert.deepEqual(kept, first);
      assert.deepEqual(fresh, first);
    }
  });

  it('§5.4, §6: kept QU replies are the fresh ones, and the unicast-or-multicast choice is made anew', async () => {
    publish();
    await run(3000);
    for (const questions of asked) {
      const qu = questions.map((q) => ({ ...q, unicastResponse: true }));
      await run(1000);
      net.take();
      // Multicast first, so that QU questions in the next second get unicast.
      net.injectBytes(plain(questions));
      await run(200);
      assert.ok(net.take().some((p) => p.kind === 'multicast'));
      net.injectBytes(plain(qu));
      net.injectBytes(plain(qu));
      net.injectBytes(afresh(qu));
      await run(0);
      const replies = net.take();
      assert.deepEqual(
        replies.map((p) => p.kind),
        ['unicast', 'unicast', 'unicast'],
      );
      const [first, kept, fresh] = replies.map((p) => p.bytes);
      assert.deepEqual(kept, first);
      assert.deepEqual(fresh, first);
      // A second later the same (kept) question is answered by multicast again.
      await run(1000);
      net.injectBytes(plain(qu));
      await run(200);
      assert.deepEqual(
        net.take().map((p) => p.kind),
        ['multicast'],
        JSON.stringify(questions),
      );
    }
  });

  it('§9: after a rename, a kept question is answered with the new name', async () => {
    const pub = publish();
    await run(3000);
    const ptr = [question(RRType.PTR, false, '_echo._tcp.local')];
    net.injectBytes(plain(ptr, 1), { port: 40000 });
    await run(0);
    const targets = () => unicastAnswers(net, ptrTarget);
    assert.deepEqual(targets(), [INSTANCE]);
    // A conflict after announcing: probing again (§9); one while probing: a new name.
    const rival = srvRecord(INSTANCE, 'other.local', 9999);
    net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [rival] }));
    await run(300);
    net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [rival] }));
    await run(3000);
    assert.equal(await pub.registered, 'My Echo');
    net.take();
    net.injectBytes(plain(ptr, 2), { port: 40000 });
    await run(0);
    assert.deepEqual(targets(), ['My Echo (2)._echo._tcp.local']);
  });

  it('§6: after a second service of the type is published, a kept question gets both', async () => {
    publish();
    await run(3000);
    const ptr = [question(RRType.PTR, false, '_echo._tcp.local')];
    const targets = () => unicastAnswers(net, ptrTarget).sort();
    net.take();
    net.injectBytes(plain(ptr, 1), { port: 40000 });
    await run(0);
    assert.deepEqual(targets(), [INSTANCE]);
    publish('Other Echo');
    await run(3000);
    net.take();
    net.injectBytes(plain(ptr, 2), { port: 40000 });
    await run(0);
    assert.deepEqual(targets(), [INSTANCE, 'Other Echo._echo._tcp.local'].sort());
  });

  it('§13: after a link changes its address, a kept question is answered with the new one', async () => {
    publish();
    await run(3000);
    const a = [question(RRType.A, false, 'me.local')];
    const addresses = () => unicastAnswers(net, (d) => (d.type === 'A' ? d.address : undefined));
    net.injectBytes(plain(a, 1), { port: 40000 });
    await run(0);
    assert.deepEqual(addresses(), ['10.0.0.1']);
    net.setInterfaces([
      {
        ...IFACE,
        addresses: [{ address: '10.0.0.9', netmask: '255.255.255.0', family: 4 }],
      },
    ]);
    await run(5000); // the next interface check
    net.take();
    net.injectBytes(plain(a, 2), { port: 40000 });
    await run(0);
    assert.deepEqual(addresses(), ['10.0.0.9']);
  });

  it('stop: a legacy question after the service stopped gets no reply', async () => {
    const pub = publish();
    await run(3000);
    net.inject(makeMessage({ id: 1, questions: [question(RRType.TXT)] }), { port: 40000 });
    await run(0);
    pub.stop();
    await run(3000);
    net.take();
    net.inject(makeMessage({ id: 2, questions: [question(RRType.TXT)] }), { port: 40000 });
    await run(0);
    assert.deepEqual(net.take(), []);
  });
});
