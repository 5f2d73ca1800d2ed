/**
 * The record cache under floods, on the fake network: records nobody asked
 * for cannot push out what a resolve or a browse wants, memory stays within
 * its budgets, and a type with thousands of instances is held without
 * flapping. The real-network flood: cache-flood.integration.test.ts.
 */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import {
  type CacheEvent,
  type DnsRecord,
  encodePacket,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { type FakeTransport, fakeEngine, settle } from './fake-network.js';
import { floodRecord, srvRecord } from './records.js';

const FLOODER = '10.0.0.66';

/** One flood packet: a PTR and an A record of made-up names, both long-lived. */
function floodPacket(i: number): ReturnType<typeof makeMessage> {
  return makeMessage({
    flags: Flag.QR | Flag.AA,
    answers: [floodRecord(2 * i, '10.0'), floodRecord(2 * i + 1, '10.0')],
  });
}

/** A real service's answer: SRV, TXT and the target's address, as a responder sends them. */
function serviceAnswer(
  instance: string,
  host: string,
  port: number,
): ReturnType<typeof makeMessage> {
  const srv = srvRecord(instance, host, port);
  return makeMessage({
    flags: Flag.QR | Flag.AA,
    answers: [srv],
    additionals: [
      {
        name: instance,
        rrclass: 1,
        cacheFlush: true,
        ttl: 4500,
        data: { type: 'TXT', strings: [Buffer.from('a=1')] },
      },
      {
        name: host,
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'A', address: '10.0.0.2' },
      },
    ],
  });
}

describe('mdns cache under a flood (fake network)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  const flood = (from: number, to: number): void => {
    for (let i = from; i < to; i++) net.inject(floodPacket(i), { address: FLOODER });
  };
  const resolve = (instance: string) =>
    resolveServiceWithEngine(engine, instance, {
      signal: new AbortController().signal,
      timeoutMs: 3000,
    });

  it('10,000 unsolicited records: a resolve during and after the flood succeeds', async () => {
    const { limits } = engine.options;
    flood(0, 2500);
    // During: a resolve asks, the real responder answers between flood packets.
    const during = resolve('Real._echo._tcp.local');
    await settle();
    flood(2500, 2600);
    net.inject(serviceAnswer('Real._echo._tcp.local', 'real.local', 7000));
    flood(2600, 5000);
    // Past the lookup's timeout: a resolve that has not succeeded by now fails (-72007).
    clock.advance(3000);
    assert.equal((await during).port, 7000);
    // After: a service nobody has asked for yet resolves too, and the first one is still held.
    const after = resolve('Other._echo._tcp.local');
    await settle();
    net.inject(serviceAnswer('Other._echo._tcp.local', 'other.local', 7001));
    clock.advance(3000);
    assert.equal((await after).port, 7001);
    clock.advance(60_000);
    flood(5000, 5100);
    const again = resolve('Real._echo._tcp.local');
    clock.advance(3000);
    assert.equal((await again).port, 7000);
    // Memory: the flooder holds no more than its budget for records nobody asked for.
    assert.ok(engine.cache.sourceBytes(FLOODER) <= limits.maxUnsolicitedBytesPerSource);
    assert.ok(engine.cache.bytes <= limits.maxCacheBytes);
    assert.ok(engine.cache.size < 1000, `${engine.cache.size} records`);
  });
});

describe('mdns browse of a type with thousands of instances (fake network)', () => {
  const TYPE = '_many._tcp.local';
  const instance = (i: number): string => `Instance ${i}.${TYPE}`;
  /** A responder's answer to the browse: PTRs with their SRV and TXT, 20 instances a packet. */
  const answers = (
    from: number,
    to: number,
    host = 'many.local',
  ): ReturnType<typeof makeMessage> => {
    const ptrs: DnsRecord[] = [];
    const extra: DnsRecord[] = [];
    for (let i = from; i < to; i++) {
      ptrs.push({
        name: TYPE,
        rrclass: 1,
        cacheFlush: false,
        ttl: 4500,
        data: { type: 'PTR', target: instance(i) },
      });
      extra.push(
        {
          name: instance(i),
          rrclass: 1,
          cacheFlush: true,
          ttl: 120,
          data: { type: 'SRV', priority: 0, weight: 0, port: 1000 + (i % 1000), target: host },
        },
        {
          name: instance(i),
          rrclass: 1,
          cacheFlush: true,
          ttl: 4500,
          data: { type: 'TXT', strings: [] },
        },
      );
    }
    return makeMessage({ flags: Flag.QR | Flag.AA, answers: ptrs, additionals: extra });
  };

  /** What the browse sees (as NetServiceBrowser.browse$ does): PTR events and instances. */
  function watch(engine: MdnsEngine): { removed: number; instances(): number; stop(): void } {
    let removed = 0;
    const off = engine.cache.onChange((events: readonly CacheEvent[]) => {
      for (const e of events)
        if (
          e.kind === 'removed' &&
          e.entry.record.data.type === 'PTR' &&
          e.entry.record.name === TYPE
        )
          removed += 1;
    });
    const release = engine.querier.ask(TYPE, RRType.PTR);
    return {
      get removed() {
        return removed;
      },
      instances: () => engine.cache.lookup(TYPE, RRType.PTR).length,
      stop() {
        off();
        release();
      },
    };
  }

  it('1,200 instances from one host: all held, no removed events for 10 s of refreshes', async () => {
    const { engine, net, clock } = await fakeEngine();
    const browse = watch(engine);
    // The same 60 packets each second, as a responder answering each query would send them.
    const packets = Array.from({ length: 60 }, (_, k) =>
      encodePacket(answers(20 * k, 20 * k + 20)),
    );
    try {
      for (let round = 0; round < 10; round++) {
        for (const bytes of packets) net.injectBytes(bytes);
        clock.advance(1000);
      }
      assert.equal(browse.instances(), 1200);
      assert.equal(browse.removed, 0);
      assert.ok(engine.cache.bytes <= engine.options.limits.maxBytesPerSource);
    } finally {
      browse.stop();
      engine.close();
    }
  });

  it('beyond the budget: the host keeps what it has, the rest is not cached, nothing flaps', async () => {
    const { engine, net } = await fakeEngine({
      limits: { maxBytesPerSource: 200_000, maxCacheBytes: 300_000 },
    });
    const browse = watch(engine);
    try {
      for (let round = 0; round < 3; round++)
        for (let i = 0; i < 1200; i += 20) net.inject(answers(i, i + 20));
      const held = browse.instances();
      assert.ok(held > 100 && held < 1200, `${held} instances held`);
      assert.equal(browse.removed, 0);
      assert.ok(engine.cache.sourceBytes('10.0.0.2') <= 200_000);
      // The first instances are the ones held: a later answer does not push them out.
      assert.equal(engine.cache.lookup(instance(0), RRType.SRV).length, 1);
      assert.equal(engine.cache.lookup(instance(1199), RRType.SRV).length, 0);
      // Another host still gets in.
      net.inject(answers(5000, 5010, 'other.local'), { address: '10.0.0.3' });
      assert.equal(browse.instances(), held + 10);
    } finally {
      browse.stop();
      engine.close();
    }
  });
});
