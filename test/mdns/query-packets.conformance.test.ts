/** RFC 6762 §17 and §7.2 for queries: many questions at once, split by size, each asked once. */
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import type { FakeClock } from '../../src/clock.js';
import {
  type DnsRecord,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { type FakeTransport, fakeEngine, type SentPacket } from './fake-network.js';

/** The querier knows no link MTU: Ethernet's, less IPv6 and UDP headers (48 bytes). */
const QUERY_PAYLOAD = 1500 - 48;
const TYPE = '_echo._tcp.local';

/** How many times each "name|type" was asked in these packets. */
function questionCounts(packets: readonly SentPacket[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of packets)
    for (const q of p.message.questions) {
      const key = `${q.name.toLowerCase()}|${q.type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return counts;
}

function assertWithinLimit(packets: readonly SentPacket[]): void {
  const largest = Math.max(...packets.map((p) => p.size));
  assert.ok(largest <= QUERY_PAYLOAD, `a ${largest}-byte query (limit ${QUERY_PAYLOAD})`);
}

describe('mdns query packets (RFC 6762 §17, §7.2)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('5,000 PTR questions due at once: every datagram within the limit, each asked once per slot', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `_svc${i}._tcp.local`);
    const releases = names.map((name) => engine.querier.ask(name, RRType.PTR));
    for (const [slot, at] of [0, 1000, 3000].entries()) {
      clock.advance(at - clock.now());
      const sent = net.take();
      assert.ok(
        sent.every((p) => p.at === at),
        `slot ${slot}`,
      );
      assertWithinLimit(sent);
      // No known answers: no packet is truncated.
      assert.ok(sent.every((p) => (p.message.flags & Flag.TC) === 0));
      for (const kind of slot === 0 ? ['multicast', 'one-shot'] : ['multicast']) {
        const counts = questionCounts(sent.filter((p) => p.kind === kind));
        assert.equal(counts.size, 5000, `${kind} at ${at}: distinct questions`);
        assert.ok(
          [...counts.values()].every((n) => n === 1),
          `${kind} at ${at}: each once`,
        );
      }
      if (slot > 0) assert.ok(sent.every((p) => p.kind === 'multicast'));
    }
    for (const release of releases) release();
  });

  it('300 concurrent resolves: every datagram within the limit, each question asked once', async () => {
    const controller = new AbortController();
    setMaxListeners(1000, controller.signal);
    const all = Array.from({ length: 300 }, (_, i) =>
      resolveServiceWithEngine(engine, `Service number ${i}.${TYPE}`, {
        signal: controller.signal,
      }).catch(() => {}),
    );
    clock.advance(0);
    const sent = net.take();
    assertWithinLimit(sent);
    const multicast = questionCounts(sent.filter((p) => p.kind === 'multicast'));
    assert.ok(multicast.size >= 300, `${multicast.size} questions`);
    assert.ok([...multicast.values()].every((n) => n === 1));
    controller.abort();
    await Promise.all(all);
  });

  it('§7.2: only a question whose known answers overflow gets TC, its continuations right after', () => {
    // 60 long PTR answers cached for one type: more than one packet holds.
    const many: DnsRecord[] = Array.from({ length: 60 }, (_, i) => ({
      name: TYPE,
      rrclass: 1,
      cacheFlush: false,
      ttl: 4500,
      data: { type: 'PTR', target: `A service instance with a longer name, ${i}.${TYPE}` },
    }));
    net.inject(makeMessage({ flags: Flag.QR, answers: many }));
    const before = Array.from({ length: 100 }, (_, i) => `_before${i}._tcp.local`);
    const after = Array.from({ length: 100 }, (_, i) => `_after${i}._tcp.local`);
    const releases = [
      ...before.map((n) => engine.querier.ask(n, RRType.PTR)),
      engine.querier.ask(TYPE, RRType.PTR),
      ...after.map((n) => engine.querier.ask(n, RRType.PTR)),
    ];
    clock.advance(0);
    const multicast = net.take().filter((p) => p.kind === 'multicast');
    assertWithinLimit(multicast);
    const truncated = multicast.flatMap((p, i) => ((p.message.flags & Flag.TC) !== 0 ? [i] : []));
    const asking = multicast.findIndex((p) => p.message.questions.some((q) => q.name === TYPE));
    // The packet with the question, then continuations (no questions), the last without TC.
    assert.equal(truncated[0], asking);
    const end = asking + truncated.length;
    assert.deepEqual(
      truncated,
      Array.from({ length: truncated.length }, (_, i) => asking + i),
    );
    for (const p of multicast.slice(asking + 1, end + 1))
      assert.equal(p.message.questions.length, 0, 'a continuation carries no questions');
    assert.ok(multicast[end + 1]?.message.questions.length, 'questions go on after the last');
    const listed = multicast
      .slice(asking, end + 1)
      .flatMap((p) => p.message.answers.map((r) => r.data.type === 'PTR' && r.data.target));
    assert.equal(new Set(listed).size, 60, 'every known answer travels with its question');
    assert.ok(
      multicast.every((p, i) => (i >= asking && i <= end) || p.message.answers.length === 0),
    );
    assert.equal(questionCounts(multicast).size, 201);
    for (const release of releases) release();
  });

  it('our own query packets looped back are not taken for another host asking (§7.3)', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `_svc${i}._tcp.local`);
    const releases = names.map((name) => engine.querier.ask(name, RRType.PTR));
    clock.advance(0);
    const first = net.take().filter((p) => p.kind === 'multicast');
    assert.ok(first.length > 16, `${first.length} packets`);
    // Multicast loops every packet back to us, from our own address.
    for (const p of first) net.inject(p.message, { address: '10.0.0.1' });
    clock.advance(1000);
    const second = questionCounts(net.take().filter((p) => p.at === 1000));
    assert.equal(second.size, 2000, 'every question retransmitted at 1 s');
    for (const release of releases) release();
  });
});
