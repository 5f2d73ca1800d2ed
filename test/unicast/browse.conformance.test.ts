/**
 * The browse schedule on a fake clock, to the millisecond: a PTR query at
 * once, the next at 80% of the TTL (bounded by minRequeryMs/maxRequeryMs),
 * the SOA serial every serialPollMs between them, and a PTR query at the
 * moment a changed serial is seen, which reports the deletion as removed.
 */
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { type BrowseChange, BrowsePoller, type BrowseSource } from '../../src/unicast/browse.js';
import type { UnicastTimings } from '../../src/unicast/config.js';

const timings: UnicastTimings = {
  queryTimeoutMs: 1000,
  resolveTimeoutMs: 5000,
  minRequeryMs: 1000,
  maxRequeryMs: 60_000,
  serialPollMs: 500,
};

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Moves the clock `ms` forward in 10 ms steps; answers arrive at the moment they were asked for. */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(0);
    await flush();
    clock.advance(10);
    await flush();
  }
}

describe('unicast browse schedule (fake clock)', () => {
  it('re-asks at 80% of the TTL, polls the serial between, and asks at once when the serial changes', async () => {
    const clock = new FakeClock();
    const log: [number, string][] = [];
    const changes: BrowseChange[] = [];
    let serial = 1;
    let targets = ['A._http._tcp.example.test', 'B._http._tcp.example.test'];
    const source: BrowseSource = {
      ptr: async () => {
        log.push([clock.now(), 'ptr']);
        return { targets, ttl: 2 };
      },
      serial: async () => {
        log.push([clock.now(), 'soa']);
        return serial;
      },
    };
    const poller = new BrowsePoller(
      source,
      clock,
      timings,
      (c) => changes.push(c),
      (e) => assert.fail(String(e)),
    );
    poller.start();
    await run(clock, 1200);
    // The zone changes on the server: B is deleted and the serial moves on.
    targets = ['A._http._tcp.example.test'];
    serial = 2;
    await run(clock, 2000);
    poller.stop();
    assert.deepEqual(log, [
      [0, 'soa'],
      [0, 'ptr'],
      [500, 'soa'],
      [1000, 'soa'],
      [1500, 'soa'],
      [1500, 'ptr'],
      [2000, 'soa'],
      [2500, 'soa'],
      [3000, 'soa'],
      [3100, 'ptr'],
    ]);
    assert.deepEqual(changes, [
      { kind: 'found', instance: 'A._http._tcp.example.test', moreComing: true },
      { kind: 'found', instance: 'B._http._tcp.example.test', moreComing: false },
      { kind: 'removed', instance: 'B._http._tcp.example.test', moreComing: false },
    ]);
    assert.equal(clock.pending, 0);
  });

  it('bounds the re-query by minRequeryMs and maxRequeryMs; an empty answer waits for the serial', async () => {
    const clock = new FakeClock();
    const log: [number, string][] = [];
    let ttl: number | undefined = 0;
    const source: BrowseSource = {
      ptr: async () => {
        log.push([clock.now(), 'ptr']);
        return ttl === undefined ? { targets: [], ttl } : { targets: ['X._a._tcp.t'], ttl };
      },
      serial: async () => 7,
    };
    const poller = new BrowsePoller(
      source,
      clock,
      { ...timings, serialPollMs: 100_000, maxRequeryMs: 3000 },
      () => {},
      (e) => assert.fail(String(e)),
    );
    poller.start();
    await run(clock, 10);
    ttl = 3600;
    await run(clock, 1000);
    ttl = undefined;
    await run(clock, 3000);
    await run(clock, 3000);
    poller.stop();
    // TTL 0 waits minRequeryMs; TTL 3600 s waits maxRequeryMs; no records waits maxRequeryMs.
    assert.deepEqual(log, [
      [0, 'ptr'],
      [1000, 'ptr'],
      [4000, 'ptr'],
      [7000, 'ptr'],
    ]);
  });

  it('fails the browse when the first query fails; later failures wait for the next poll', async () => {
    const clock = new FakeClock();
    let fail = true;
    const errors: unknown[] = [];
    const source: BrowseSource = {
      ptr: async () => {
        if (fail) throw new Error('no answer');
        return { targets: [], ttl: 10 };
      },
      serial: async () => 1,
    };
    const first = new BrowsePoller(
      source,
      clock,
      timings,
      () => {},
      (e) => errors.push(e),
    );
    first.start();
    await run(clock, 10);
    first.stop();
    assert.equal(errors.length, 1);
    fail = false;
    const second = new BrowsePoller(
      source,
      clock,
      timings,
      () => {},
      (e) => errors.push(e),
    );
    second.start();
    await run(clock, 10);
    fail = true;
    await run(clock, 9000);
    second.stop();
    assert.equal(errors.length, 1);
  });

  it('a serial poll that failed makes the next answering poll count as a change', async () => {
    const clock = new FakeClock();
    const log: [number, string][] = [];
    let failing = false;
    const source: BrowseSource = {
      ptr: async () => {
        log.push([clock.now(), 'ptr']);
        return { targets: [], ttl: 3600 };
      },
      serial: async () => {
        if (failing) throw new Error('no answer');
        return 5;
      },
    };
    const poller = new BrowsePoller(
      source,
      clock,
      timings,
      () => {},
      (e) => assert.fail(String(e)),
    );
    poller.start();
    await run(clock, 600);
    failing = true;
    await run(clock, 500);
    failing = false;
    await run(clock, 500);
    poller.stop();
    // Polls at 500 (5, no change), 1000 (failed), 1500 (5 again, but unknown before): one extra query.
    assert.deepEqual(log, [
      [0, 'ptr'],
      [1500, 'ptr'],
    ]);
  });
});
