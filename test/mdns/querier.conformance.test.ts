/** RFC 6762 querier conformance on a fake clock. */
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import type { FakeClock } from '../../src/clock.js';
import { NetServicesError } from '../../src/error-codes.js';
import {
  type DnsRecord,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
  resolveHostWithEngine,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { type FakeTransport, fakeEngine, settle } from './fake-network.js';
import { addressRecord, srvRecord } from './records.js';

const INSTANCE = 'Svc._echo._tcp.local';
const srv = srvRecord(INSTANCE, 'peer.local', 7);
const addr = addressRecord('peer.local', 'fe80::2');

describe('mdns querier conformance (RFC 6762 §5, §7)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('first send: one multicast query and one one-shot query; then 1 s, 2 s, 4 s', async () => {
    const signal = new AbortController().signal;
    const pending = resolveHostWithEngine(engine, 'peer.local', { signal, timeoutMs: 8000 }).catch(
      (e: unknown) => e,
    );
    clock.advance(7999);
    const sent = net.take();
    assert.deepEqual(
      sent.map((p) => [p.at, p.kind]),
      [
        [0, 'multicast'],
        [0, 'one-shot'],
        [1000, 'multicast'],
        [3000, 'multicast'],
        [7000, 'multicast'],
      ],
    );
    assert.deepEqual(
      sent[0]?.message.questions.map((q) => q.type),
      [RRType.A, RRType.AAAA],
    );
    assert.notEqual(sent[1]?.message.id, 0, 'a one-shot (legacy) query carries an ID');
    clock.advance(1);
    assert.equal(((await pending) as { code: number }).code, NetServicesError.Timeout);
  });

  it('1,000 concurrent lookups share one question: at most 3 packets in the first second', async () => {
    const controller = new AbortController();
    setMaxListeners(2000, controller.signal);
    const all = Array.from({ length: 1000 }, () =>
      resolveServiceWithEngine(engine, INSTANCE, { signal: controller.signal }).catch(() => {}),
    );
    clock.advance(999);
    assert.ok(net.sent.length <= 3, `${net.sent.length} packets`);
    controller.abort();
    await Promise.all(all);
  });

  it('follows an SRV answer with address questions for its target, and scopes link-local IPv6', async () => {
    const result = resolveServiceWithEngine(engine, INSTANCE, {
      signal: new AbortController().signal,
    });
    clock.advance(0);
    net.take();
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv] }));
    clock.advance(0);
    const follow = net.take();
    assert.deepEqual(
      follow[0]?.message.questions.map((q) => [q.name, q.type]),
      [
        ['peer.local', RRType.A],
        ['peer.local', RRType.AAAA],
      ],
    );
    net.inject(makeMessage({ flags: Flag.QR, answers: [addr] }));
    const r = await result;
    assert.deepEqual(r.addresses, [{ address: 'fe80::2%eth0', family: 6 }]);
    assert.equal(r.port, 7);
  });

  it('§7.1: retransmissions carry known answers with over half their TTL left', async () => {
    net.inject(
      makeMessage({
        flags: Flag.QR,
        answers: [
          {
            name: '_echo._tcp.local',
            rrclass: 1,
            cacheFlush: false,
            ttl: 4500,
            data: { type: 'PTR', target: INSTANCE },
          },
        ],
      }),
    );
    const release = engine.querier.ask('_echo._tcp.local', RRType.PTR);
    clock.advance(0);
    const [first] = net.take();
    assert.equal(first?.message.answers.length, 1);
    release();
  });

  it('§7.2: known answers beyond one packet follow in continuation packets, TC on all but the last', async () => {
    // 60 (the cache keeps at most 64 records of one name and type).
    const many: DnsRecord[] = Array.from({ length: 60 }, (_, i) => ({
      name: '_echo._tcp.local',
      rrclass: 1,
      cacheFlush: false,
      ttl: 4500,
      data: {
        type: 'PTR',
        target: `A service instance with a longer name, number ${i}._echo._tcp.local`,
      },
    }));
    net.inject(makeMessage({ flags: Flag.QR, answers: many }));
    const release = engine.querier.ask('_echo._tcp.local', RRType.PTR);
    clock.advance(0);
    const multicast = net.take().filter((p) => p.kind === 'multicast');
    assert.ok(multicast.length > 1);
    assert.deepEqual(
      multicast.map((p) => [p.message.questions.length, (p.message.flags & Flag.TC) !== 0]),
      multicast.map((_, i) => [i === 0 ? 1 : 0, i < multicast.length - 1]),
    );
    // §17: the link's MTU is unknown to the querier, so each packet stays within Ethernet's.
    for (const p of multicast) assert.ok(p.size + 48 <= 1500, `${p.size}-byte query packet`);
    const listed = new Set(
      multicast.flatMap((p) =>
        p.message.answers.map((r) => r.data.type === 'PTR' && r.data.target),
      ),
    );
    assert.equal(listed.size, 60, 'every known answer is listed once');
    release();
  });

  it('§17: large known answers are split by size, never over 9000 bytes with headers', async () => {
    // 60 TXT questions asked in one turn, each with a 1 KB TXT cached: 60 KB of known answers.
    const names = Array.from({ length: 60 }, (_, i) => `Big ${i}._echo._tcp.local`);
    for (const name of names)
      net.inject(
        makeMessage({
          flags: Flag.QR,
          answers: [
            {
              name,
              rrclass: 1,
              cacheFlush: true,
              ttl: 4500,
              data: {
                type: 'TXT',
                strings: Array.from({ length: 5 }, () => Buffer.alloc(200, 0x61)),
              },
            },
          ],
        }),
      );
    const releases = names.map((name) => engine.querier.ask(name, RRType.TXT));
    clock.advance(0);
    const multicast = net.take().filter((p) => p.kind === 'multicast');
    for (const p of multicast) assert.ok(p.size + 48 <= 1500, `${p.size}-byte query packet`);
    assert.equal(
      multicast.reduce((n, p) => n + p.message.answers.length, 0),
      60,
    );
    // Each question goes with its known answer (§7.1), in packets complete without TC (§7.2).
    for (const p of multicast) {
      assert.equal(p.message.flags & Flag.TC, 0);
      assert.deepEqual(
        p.message.answers.map((r) => r.name),
        p.message.questions.map((q) => q.name),
      );
    }
    assert.equal(
      multicast.reduce((n, p) => n + p.message.questions.length, 0),
      60,
    );
    for (const release of releases) release();
  });

  describe('§5.2: a question kept asked refreshes its answers before they expire', () => {
    const TYPE = '_echo._tcp.local';
    const ptr = (ttl: number): DnsRecord => ({
      name: TYPE,
      rrclass: 1,
      cacheFlush: false,
      ttl,
      data: { type: 'PTR', target: INSTANCE },
    });
    const answer = (ttl: number): void =>
      net.inject(makeMessage({ flags: Flag.QR, answers: [ptr(ttl)] }));
    // Retransmissions of a question asked at 0: 1, 3, 7, 15, 31, 63, 127 s (§5.2 doubling).
    const queriesAt = (): number[] =>
      net
        .take()
        .filter((p) => p.kind === 'multicast')
        .map((p) => p.at);

    it('unanswered: queries at 80, 85, 90 and 95% of the TTL (plus jitter), then the record expires', () => {
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(0);
      answer(100);
      clock.advance(99_999);
      // random() is 0.5 here: jitter 1% of the lifetime, so 81, 86, 91, 96 s.
      assert.deepEqual(
        queriesAt(),
        [0, 1000, 3000, 7000, 15000, 31000, 63000, 81000, 86000, 91000, 96000],
      );
      assert.equal(engine.cache.lookup(TYPE, RRType.PTR).length, 1);
      clock.advance(1);
      assert.equal(engine.cache.lookup(TYPE, RRType.PTR).length, 0, 'expired at 100%');
      release();
    });

    it('answered at 80%: the next refresh is 80% of the new lifetime, retransmissions unchanged', () => {
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(0);
      answer(100);
      clock.advance(81_000);
      net.take();
      answer(100); // a fresh copy: its lifetime starts again at 81 s
      clock.advance(99_000);
      // 127 s is the retransmission; 162-177 s are 80-95% (+1%) of the new lifetime, not the old.
      assert.deepEqual(queriesAt(), [127_000, 162_000, 167_000, 172_000, 177_000]);
      assert.equal(engine.cache.lookup(TYPE, RRType.PTR).length, 1, 'still cached at 180 s');
      release();
    });

    it('a peer announcing 1-second TTLs does not make us query more than once a second', () => {
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(0);
      net.take();
      answer(1);
      // A peer that answers every query at once with a 1-second TTL.
      const times: number[] = [];
      for (let step = 0; step < 100; step++) {
        clock.advance(100);
        const sent = queriesAt();
        times.push(...sent);
        if (sent.length > 0) answer(1);
      }
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      // Retransmissions go on (1, 3, 7 s); refreshes never come closer than 1 s to them or
      // each other, so 1-second records may lapse between answers, and that is the point.
      assert.ok(times.length >= 3, `${times.length} queries in 10 s`);
      assert.ok(
        gaps.every((g) => g >= 1000),
        `queries ${times.join(', ')}: closer than 1 s`,
      );
      release();
    });

    it('stops refreshing when nobody asks any more', () => {
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(0);
      answer(100);
      net.take();
      release();
      clock.advance(100_000);
      assert.deepEqual(queriesAt(), []);
    });
  });

  describe('§7.3: another host asking the same question', () => {
    const TYPE = '_echo._tcp.local';
    const question = (unicastResponse = false) => ({
      name: TYPE,
      type: RRType.PTR,
      rrclass: 1,
      unicastResponse,
    });
    const multicastAt = (): number[] =>
      net
        .take()
        .filter((p) => p.kind === 'multicast')
        .map((p) => p.at);

    it('counts as our retransmission when it carries every known answer we would', () => {
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(900);
      net.inject(makeMessage({ questions: [question()] }));
      clock.advance(3000);
      // Ours were due at 1 s and 3 s; theirs at 0.9 s took the first, so ours go 0.9 + 2 s.
      assert.deepEqual(multicastAt(), [0, 2900]);
      release();
    });

    it('does not count when it lacks a known answer of ours, asks QU, or is our own looped back', () => {
      net.inject(
        makeMessage({
          flags: Flag.QR,
          answers: [
            {
              name: TYPE,
              rrclass: 1,
              cacheFlush: false,
              ttl: 4500,
              data: { type: 'PTR', target: INSTANCE },
            },
          ],
        }),
      );
      const release = engine.querier.ask(TYPE, RRType.PTR);
      clock.advance(0);
      const [ours] = net.take().filter((p) => p.kind === 'multicast');
      assert.equal(ours?.message.answers.length, 1, 'our query carries the known answer');
      clock.advance(900);
      net.inject(makeMessage({ questions: [question()] })); // lacks our known answer
      net.inject(makeMessage({ questions: [question(true)], answers: ours?.message.answers })); // QU
      net.inject(ours!.message, { address: '10.0.0.1' }); // our own query, looped back
      clock.advance(2100);
      assert.deepEqual(multicastAt(), [1000, 3000]);
      release();
    });
  });

  it('accepts answers from port 5353 and to its one-shot socket only', async () => {
    net.inject(makeMessage({ flags: Flag.QR, answers: [addr] }), { port: 40000 });
    assert.equal(engine.cache.size, 0);
    net.inject(makeMessage({ flags: Flag.QR, answers: [addr] }), { port: 5353, viaOneShot: true });
    assert.equal(engine.cache.size, 1);
    await settle();
  });
});
