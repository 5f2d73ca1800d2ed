/**
 * The responder's caches under repeated queries (RFC 6762 §5.4, §6.7): the
 * record set and encoded unicast replies are reused, but every reply still
 * echoes its query's ID and follows a change of our records at once.
 */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { Flag, type MdnsEngine, makeMessage, RRType } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { type FakeTransport, fakeEngine, type SentPacket, settle } from './fake-network.js';

const INSTANCE = 'My Echo._echo._tcp.local';
const txtOf = (p: SentPacket | undefined) =>
  (p?.message.answers ?? []).flatMap((r) =>
    r.data.type === 'TXT' ? [r.data.strings.map(String).join(',')] : [],
  );
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
  const publish = () =>
    publishWithEngine(engine, {
      name: 'My Echo',
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
