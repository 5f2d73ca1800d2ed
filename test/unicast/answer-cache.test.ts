/** The answer cache: TTLs count down and expire, negative answers live by RFC 2308 §5, the bound evicts the oldest. */
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import type { DnsRecord } from '../../src/dns/wire-types.js';
import { AnswerCache } from '../../src/unicast/answer-cache.js';

const a = (name: string, ttl: number): DnsRecord => ({
  name,
  rrclass: 1,
  cacheFlush: false,
  ttl,
  data: { type: 'A', address: '192.0.2.1' },
});

describe('unicast answer cache', () => {
  it('serves an answer until its TTL runs out, with the TTL counted down; names fold case', () => {
    const clock = new FakeClock();
    const cache = new AnswerCache(clock);
    cache.put(
      'Host.Example.Test',
      1,
      { kind: 'records', records: [a('host.example.test', 10)], additionals: [] },
      10,
    );
    clock.advance(4000);
    const hit = cache.get('host.example.test', 1);
    assert.equal(hit?.kind === 'records' ? hit.records[0]?.ttl : -1, 6);
    clock.advance(6000);
    assert.equal(cache.get('host.example.test', 1), undefined);
  });

  it('keeps a negative answer for its negative TTL, and nothing with TTL 0', () => {
    const clock = new FakeClock();
    const cache = new AnswerCache(clock);
    cache.put('gone.example.test', 33, { kind: 'nxdomain', zone: 'example.test' }, 5);
    cache.put('zero.example.test', 33, { kind: 'nodata' }, 0);
    assert.deepEqual(cache.get('gone.example.test', 33), {
      kind: 'nxdomain',
      zone: 'example.test',
    });
    assert.equal(cache.get('zero.example.test', 33), undefined);
    clock.advance(5000);
    assert.equal(cache.get('gone.example.test', 33), undefined);
  });

  it('holds at most its limit, evicting the least recently used', () => {
    const cache = new AnswerCache(new FakeClock(), 2);
    const put = (n: string): void => cache.put(n, 1, { kind: 'nodata' }, 60);
    put('a');
    put('b');
    cache.get('a', 1);
    put('c');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b', 1), undefined);
    assert.ok(cache.get('a', 1));
    assert.ok(cache.get('c', 1));
  });
});
