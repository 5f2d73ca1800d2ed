/**
 * The memo of `cachedService` (a NetService keeps one, read at every warm
 * open): it gives its kept answer only while the cache would answer the same,
 * so every change of the records behind a resolution is seen at the next call.
 */
import assert from 'node:assert/strict';
import type { CachedResolutionMemo } from '../../src/address.js';
import type { Clock, FakeClock } from '../../src/clock.js';
import {
  type DnsRecord,
  Flag,
  type MdnsEngine,
  makeMessage,
  RFC_TIMINGS,
} from '../../src/mdns/index.js';
import { RecordCache } from '../../src/mdns/record-cache.js';
import { cachedService, reconfirmService } from '../../src/mdns/resolve.js';
import { type FakeTransport, fakeEngine } from './fake-network.js';
import { addressRecord, srvRecord, txtRecord } from './records.js';

const INSTANCE = 'Svc._echo._tcp.local';
const LIMITS = {
  maxCacheBytes: 1 << 20,
  maxBytesPerSource: 1 << 20,
  maxUnsolicitedBytes: 1 << 20,
  maxUnsolicitedBytesPerSource: 1 << 20,
};

const emptyMemo = (): CachedResolutionMemo => ({
  instanceName: '',
  stamp: -1,
  resolution: undefined,
});
const goodbye = (record: DnsRecord): DnsRecord => ({ ...record, ttl: 0 });

/** Port and addresses as a warm open would use them. */
function route(cache: RecordCache, memo?: CachedResolutionMemo): string | undefined {
  const found = cachedService(cache, INSTANCE, undefined, memo);
  return found && `${found.hostName}:${found.port} ${found.addresses.map((a) => a.address)}`;
}

describe('mdns cachedService memo', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  let memo: CachedResolutionMemo;
  const hear = (...answers: DnsRecord[]): void =>
    net.inject(makeMessage({ flags: Flag.QR, answers }));
  /** The memo's answer, checked against a fresh lookup of the same cache. */
  const memoRoute = (): string | undefined => {
    const kept = route(engine.cache, memo);
    assert.equal(kept, route(engine.cache), 'the memo answers as a fresh lookup does');
    return kept;
  };

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
    memo = emptyMemo();
    hear(srvRecord(INSTANCE, 'peer.local', 7), addressRecord('peer.local', '10.0.0.2'));
    clock.advance(2000);
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.2');
  });
  afterEach(() => engine.close());

  it('gives the kept resolution again while nothing has changed', () => {
    const first = cachedService(engine.cache, INSTANCE, undefined, memo);
    clock.advance(60_000);
    assert.equal(cachedService(engine.cache, INSTANCE, undefined, memo), first);
  });

  it('sees an address record replaced (cache flush, RFC 6762 §10.2)', () => {
    hear(addressRecord('peer.local', '10.0.0.3'));
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.3');
  });

  it('sees an address added beside the cached one', () => {
    hear({ ...addressRecord('peer.local', 'fd00::3'), cacheFlush: false });
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.2,fd00::3');
  });

  it("sees the SRV's port and target change", () => {
    hear(srvRecord(INSTANCE, 'peer.local', 8));
    assert.equal(memoRoute(), 'peer.local:8 10.0.0.2');
    clock.advance(2000);
    hear(srvRecord(INSTANCE, 'other.local', 8), addressRecord('other.local', '10.0.0.9'));
    assert.equal(memoRoute(), 'other.local:8 10.0.0.9');
  });

  it('sees a goodbye (TTL 0, RFC 6762 §10.1) of the SRV or of the address at once', () => {
    hear(goodbye(addressRecord('peer.local', '10.0.0.2')));
    assert.equal(memoRoute(), undefined, 'no address left to connect to');
    hear(addressRecord('peer.local', '10.0.0.2'));
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.2');
    hear(goodbye(srvRecord(INSTANCE, 'peer.local', 7)));
    assert.equal(memoRoute(), undefined, 'the service has left');
  });

  it('sees a record expire (its TTL run out on the clock)', () => {
    hear({ ...addressRecord('peer.local', '10.0.0.4', 10), cacheFlush: false });
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.2,10.0.0.4');
    clock.advance(10_000);
    assert.equal(memoRoute(), 'peer.local:7 10.0.0.2');
    clock.advance(108_000);
    assert.equal(memoRoute(), undefined, 'SRV and address expired');
  });

  it('sees records in dispute (reconfirmation, RFC 6762 §10.4)', () => {
    reconfirmService(engine, INSTANCE, {
      hostName: 'peer.local',
      port: 7,
      addresses: [{ address: '10.0.0.2', family: 4 }],
    });
    assert.equal(memoRoute(), undefined);
  });

  it("sees the TXT change (the resolution's TXT)", () => {
    const txt = (kept?: CachedResolutionMemo): string | undefined =>
      cachedService(engine.cache, INSTANCE, undefined, kept)?.txt?.toString();
    hear(txtRecord(INSTANCE, ['v=1']));
    assert.equal(txt(memo), 'v=1');
    clock.advance(2000);
    hear(txtRecord(INSTANCE, ['v=2']));
    assert.equal(txt(memo), txt());
    // The flushed TXT goes a second later (RFC 6762 §10.2).
    clock.advance(1000);
    assert.equal(txt(memo), 'v=2');
  });

  it('answers for the instance asked, not the one kept', () => {
    hear(srvRecord('Other._echo._tcp.local', 'peer.local', 9));
    assert.equal(cachedService(engine.cache, 'Other._echo._tcp.local', undefined, memo)?.port, 9);
    assert.equal(cachedService(engine.cache, INSTANCE, undefined, memo)?.port, 7);
  });

  it('is not taken for the answer of another cache (a new engine), nor after clear()', () => {
    const other = new RecordCache(clock, LIMITS, RFC_TIMINGS);
    assert.equal(route(other, memo), undefined);
    other.addRecords(
      [srvRecord(INSTANCE, 'peer.local', 7), addressRecord('peer.local', '10.0.0.2')],
      'eth0',
    );
    assert.equal(route(other, memo), 'peer.local:7 10.0.0.2');
    other.clear();
    assert.equal(route(other, memo), undefined);
  });
});

describe('mdns record cache stamp', () => {
  it('lapses when a record reaches its expiry time, even before the expiry timer has run', () => {
    // A clock whose timers never fire: a busy event loop runs the expiry timer late.
    let now = 0;
    const stalled: Clock = { now: () => now, setTimer: () => ({ cancel() {} }) };
    const cache = new RecordCache(stalled, LIMITS, RFC_TIMINGS);
    cache.addRecords(
      [srvRecord(INSTANCE, 'peer.local', 7, 10), addressRecord('peer.local', '10.0.0.2')],
      'eth0',
    );
    const memo = emptyMemo();
    assert.equal(route(cache, memo), 'peer.local:7 10.0.0.2');
    const stamp = cache.stamp;
    now = 9999;
    assert.ok(cache.answersSince(stamp));
    assert.equal(route(cache, memo), 'peer.local:7 10.0.0.2');
    now = 10_000;
    assert.ok(!cache.answersSince(stamp));
    assert.equal(route(cache, memo), undefined, 'the SRV is past its TTL');
  });

  it('changes with every response, and not with lookups', () => {
    const clock: Clock = { now: () => 0, setTimer: () => ({ cancel() {} }) };
    const cache = new RecordCache(clock, LIMITS, RFC_TIMINGS);
    const stamp = cache.stamp;
    route(cache);
    cache.lookup('peer.local', 1);
    assert.equal(cache.stamp, stamp);
    cache.addRecords([addressRecord('peer.local', '10.0.0.2')], 'eth0');
    assert.notEqual(cache.stamp, stamp);
    assert.ok(!cache.answersSince(stamp));
  });
});
