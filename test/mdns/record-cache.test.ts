import assert from 'node:assert/strict';
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

describe('mdns record cache', () => {
  let clock: FakeClock;
  let cache: RecordCache;
  let events: CacheEvent[];
  beforeEach(() => {
    clock = new FakeClock();
    cache = new RecordCache(clock, { maxCacheRecords: 10, maxRecordsPerName: 4 }, RFC_TIMINGS);
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

  it('caps records per name and in total', () => {
    for (let i = 0; i < 20; i++) cache.addRecords([a(`10.0.0.${i}`, 100 + i)], 'eth0');
    assert.equal(cache.lookup('h.local', RRType.A).length, 4);
    for (let i = 0; i < 20; i++)
      cache.addRecords([a('10.0.1.1', 100, false, `n${i}.local`)], 'eth0');
    assert.ok(cache.size <= 10);
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
});
