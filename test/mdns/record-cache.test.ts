import assert from 'node:assert/strict';
import { recordCost } from '../../src/mdns/cache-budget.js';
import {
  type CacheEvent,
  type DnsRecord,
  FakeClock,
  RFC_TIMINGS,
  RRType,
} from '../../src/mdns/index.js';
import { RecordCache } from '../../src/mdns/record-cache.js';

const a = (address: string, ttl = 120, cacheFlush = false, name = 'h.local'): DnsRecord => ({
  name,
  rrclass: 1,
  cacheFlush,
  ttl,
  data: { type: 'A', address },
});

/** Every test record (an A of a 7-letter name) costs the same. */
const COST = recordCost('h.local', { type: 'A', address: '10.0.100.1' });
/** Room for ten records, six from one source, four unsolicited ones, three from one source. */
const LIMITS = {
  maxCacheBytes: 10 * COST,
  maxBytesPerSource: 6 * COST,
  maxUnsolicitedBytes: 4 * COST,
  maxUnsolicitedBytesPerSource: 3 * COST,
};
const addressesOf = (cache: RecordCache, name: string): string[] =>
  cache
    .lookup(name, RRType.A)
    .map((e) => (e.record.data.type === 'A' ? e.record.data.address : ''))
    .sort();

describe('mdns record cache', () => {
  let clock: FakeClock;
  let cache: RecordCache;
  let events: CacheEvent[];
  beforeEach(() => {
    clock = new FakeClock();
    cache = new RecordCache(clock, LIMITS, RFC_TIMINGS);
    events = [];
    cache.onChange((e) => events.push(...e));
  });
  afterEach(() => cache.clear());

  it('keeps a record for its TTL, case-insensitively by name', () => {
    cache.addRecords([a('10.0.0.1', 2)], 'eth0');
    assert.equal(cache.lookup('H.LOCAL', RRType.A).length, 1);
    clock.advance(1999);
    assert.equal(cache.lookup('h.local', RRType.A).length, 1);
    clock.advance(1);
    assert.equal(cache.lookup('h.local', RRType.A).length, 0);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['added', 'removed'],
    );
  });

  it('evicts a goodbye (TTL 0) one second later (RFC 6762 §10.1)', () => {
    cache.addRecords([a('10.0.0.1')], 'eth0');
    cache.addRecords([a('10.0.0.1', 0)], 'eth0');
    clock.advance(999);
    assert.equal(cache.lookup('h.local', RRType.A).length, 1);
    clock.advance(1);
    assert.equal(cache.lookup('h.local', RRType.A).length, 0);
  });

  it('cache-flush makes records older than 1 s expire in 1 s and keeps fresh ones (§10.2)', () => {
    cache.addRecords([a('10.0.0.1')], 'eth0');
    clock.advance(500);
    cache.addRecords([a('10.0.0.2')], 'eth0');
    clock.advance(1001);
    cache.addRecords([a('10.0.0.3', 120, true)], 'eth0');
    clock.advance(1000);
    const left = cache
      .lookup('h.local', RRType.A)
      .map((e) => (e.record.data.type === 'A' ? e.record.data.address : ''));
    assert.deepEqual(left.sort(), ['10.0.0.3']);
  });

  it('records arriving together with the cache-flush bit all stay', () => {
    cache.addRecords([a('10.0.0.1', 120, true), a('10.0.0.2', 120, true)], 'eth0');
    clock.advance(5000);
    cache.addRecords([a('10.0.0.1', 120, true), a('10.0.0.2', 120, true)], 'eth0');
    clock.advance(2000);
    assert.equal(cache.lookup('h.local', RRType.A).length, 2);
  });

  it('keeps a link-local AAAA once per interface', () => {
    const rec: DnsRecord = {
      name: 'h.local',
      rrclass: 1,
      cacheFlush: false,
      ttl: 120,
      data: { type: 'AAAA', address: 'fe80::1' },
    };
    cache.addRecords([rec], 'eth0');
    cache.addRecords([rec], 'eth1');
    assert.deepEqual(
      cache
        .lookup('h.local', RRType.AAAA)
        .map((e) => e.interfaceName)
        .sort(),
      ['eth0', 'eth1'],
    );
  });

  describe('memory budget', () => {
    // Names of the same length as h.local, so every record costs COST.
    const name = (i: number): string => `n${String(i).padStart(2, '0')}.loc`;
    const ip = (i: number): string => `10.0.${100 + i}.1`;
    const asked = new Set<string>();
    beforeEach(() => {
      asked.clear();
      cache.setInterest((n, type) => type === RRType.A && asked.has(n.toLowerCase()));
    });

    it('records nobody asked for: a budget per source and overall, oldest evicted first', () => {
      for (let i = 0; i < 5; i++) cache.addRecords([a(ip(i), 120, false, name(i))], 'eth0', 'x');
      assert.equal(cache.size, 3);
      assert.deepEqual(
        [0, 1, 2, 3, 4].map((i) => cache.lookup(name(i), RRType.A).length),
        [0, 0, 1, 1, 1],
      );
      assert.equal(cache.sourceBytes('x'), 3 * COST);
      cache.addRecords([a('10.0.1.1', 120, false, name(10))], 'eth0', 'y');
      cache.addRecords([a('10.0.1.2', 120, false, name(11))], 'eth0', 'y');
      // Overall room for four: the oldest of any source goes.
      assert.equal(cache.size, 4);
      assert.equal(cache.lookup(name(2), RRType.A).length, 0);
      assert.deepEqual(
        events.filter((e) => e.kind === 'removed').map((e) => e.entry.record.name),
        [name(0), name(1), name(2)],
      );
    });

    it('a record a question asked for outlives a flood of records nobody asked for', () => {
      asked.add(name(50));
      cache.addRecords([a(ip(50), 120, true, name(50))], 'eth0', 'x');
      for (let i = 0; i < 40; i++) cache.addRecords([a(ip(i), 4500, false, name(i))], 'eth0', 'x');
      assert.deepEqual(addressesOf(cache, name(50)), [ip(50)]);
      assert.ok(cache.bytes <= LIMITS.maxCacheBytes);
      assert.ok(cache.sourceBytes('x') <= LIMITS.maxBytesPerSource);
    });

    it("a wanted SRV brings its target's addresses in as wanted (RFC 6763 §12)", () => {
      const srv: DnsRecord = {
        name: 'S._x._tcp.local',
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'SRV', priority: 0, weight: 0, port: 9, target: name(60) },
      };
      cache.setInterest((n, type) => type === RRType.SRV && n === srv.name);
      cache.addRecords([srv, a(ip(60), 120, true, name(60))], 'eth0', 'x');
      for (let i = 0; i < 40; i++) cache.addRecords([a(ip(i), 4500, false, name(i))], 'eth0', 'y');
      assert.equal(cache.lookup(srv.name, RRType.SRV).length, 1);
      assert.deepEqual(addressesOf(cache, name(60)), [ip(60)]);
    });

    it("a wanted PTR's SRV, TXT and addresses stay wanted when they come in a later packet", () => {
      // A responder with many services sends the PTRs first and the rest after (python-zeroconf).
      const instance = 'S._x._tcp.local';
      const ptr: DnsRecord = {
        name: '_x._tcp.local',
        rrclass: 1,
        cacheFlush: false,
        ttl: 4500,
        data: { type: 'PTR', target: instance },
      };
      const srv: DnsRecord = {
        name: instance,
        rrclass: 1,
        cacheFlush: true,
        ttl: 120,
        data: { type: 'SRV', priority: 0, weight: 0, port: 9, target: name(61) },
      };
      const txt: DnsRecord = { ...srv, ttl: 4500, data: { type: 'TXT', strings: [] } };
      cache.setInterest((n, type) => type === RRType.PTR && n === ptr.name);
      cache.addRecords([ptr], 'eth0', 'x');
      cache.addRecords([srv, txt], 'eth0', 'x');
      cache.addRecords([a(ip(61), 120, true, name(61))], 'eth0', 'x');
      // The same source then floods records nobody asked for, past its unsolicited budget.
      for (let i = 0; i < 40; i++) cache.addRecords([a(ip(i), 4500, false, name(i))], 'eth0', 'x');
      assert.equal(cache.lookup(instance, RRType.SRV).length, 1);
      assert.equal(cache.lookup(instance, RRType.TXT).length, 1);
      assert.deepEqual(addressesOf(cache, name(61)), [ip(61)]);
    });

    it('asking for cached records makes them wanted', () => {
      cache.addRecords([a(ip(70), 120, false, name(70))], 'eth0', 'x');
      asked.add(name(70));
      cache.promote(name(70), RRType.A);
      for (let i = 0; i < 40; i++) cache.addRecords([a(ip(i), 4500, false, name(i))], 'eth0', 'y');
      assert.deepEqual(addressesOf(cache, name(70)), [ip(70)]);
    });

    it('past its budget a source gets no more: what it holds stays, nothing flaps', () => {
      for (let i = 0; i < 10; i++) asked.add(name(i));
      for (let i = 0; i < 10; i++) cache.addRecords([a(ip(i), 120, false, name(i))], 'eth0', 'x');
      assert.equal(cache.size, 6);
      assert.deepEqual(
        [...Array(10).keys()].map((i) => cache.lookup(name(i), RRType.A).length),
        [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      );
      // A refresh of what it holds is no new charge.
      for (let i = 0; i < 6; i++) cache.addRecords([a(ip(i), 120, false, name(i))], 'eth0', 'x');
      assert.equal(cache.size, 6);
      assert.ok(events.every((e) => e.kind !== 'removed'));
    });

    it('a source at its budget still replaces a record it flushes (a changed address)', () => {
      for (let i = 0; i < 10; i++) asked.add(name(i));
      for (let i = 0; i < 6; i++) cache.addRecords([a(ip(i), 120, true, name(i))], 'eth0', 'x');
      clock.advance(2000);
      cache.addRecords([a(ip(9), 120, true, name(0))], 'eth0', 'x');
      assert.deepEqual(addressesOf(cache, name(0)), [ip(9)]);
      assert.equal(cache.size, 6);
      // Without the cache-flush bit it is one more record, and the source has no room.
      cache.addRecords([a(ip(8), 120, false, name(1))], 'eth0', 'x');
      assert.deepEqual(addressesOf(cache, name(1)), [ip(1)]);
    });

    it('past the overall budget a wanted record pushes out the oldest wanted one', () => {
      for (let i = 0; i < 12; i++) asked.add(name(i));
      for (let i = 0; i < 12; i++)
        cache.addRecords([a(ip(i), 120, false, name(i))], 'eth0', `source ${i % 3}`);
      assert.equal(cache.size, 10);
      assert.deepEqual(
        events.filter((e) => e.kind === 'removed').map((e) => e.entry.record.name),
        [name(0), name(1)],
      );
    });

    it('expires each record at its own time, refreshed ones at their new time', () => {
      const big = new RecordCache(
        clock,
        { ...LIMITS, maxCacheBytes: 1e9, maxBytesPerSource: 1e9 },
        RFC_TIMINGS,
      );
      big.setInterest(() => true);
      for (let i = 0; i < 1000; i++)
        big.addRecords([a('10.0.0.1', 1 + (i % 100), false, `n${i}.local`)], 'eth0', 'x');
      // Refreshing n0 (TTL 1 s) at 0.5 s moves it to 1.5 s.
      clock.advance(500);
      big.addRecords([a('10.0.0.1', 1, false, 'n0.local')], 'eth0', 'x');
      clock.advance(500);
      assert.equal(big.size, 991, 'the other nine TTL-1 records left at 1 s');
      assert.equal(big.lookup('n0.local', RRType.A).length, 1);
      clock.advance(500);
      assert.equal(big.lookup('n0.local', RRType.A).length, 0);
      assert.equal(big.size, 990);
      clock.advance(100_000);
      assert.equal(big.size, 0);
      assert.equal(big.bytes, 0);
      big.clear();
    });
  });
});
