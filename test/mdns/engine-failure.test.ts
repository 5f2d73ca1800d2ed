/** An engine that cannot open its sockets fails every waiter at once with a clear error. */
import assert from 'node:assert/strict';
import { firstValueFrom } from 'rxjs';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import {
  getMdnsEngine,
  resetMdnsEngine,
  resolveHostWithEngine,
  resolveLocalHostName,
} from '../../src/mdns/index.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { fakeEngine } from './fake-network.js';

const ENODEV = 19;

describe('mDNS engine without a usable interface', () => {
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine({ interface: 'no-such-interface0' }));
  afterEach(() => resetMdnsEngine());

  it('rejects a lookup at once, naming the interface', async () => {
    const started = Date.now();
    const error = (await resolveLocalHostName('printer.local', {
      signal: new AbortController().signal,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e)) as StreamError;
    assert.equal(error.domain, ErrorDomain.POSIX);
    assert.equal(error.code, ENODEV);
    assert.match(error.message, /no-such-interface0/);
    assert.ok(Date.now() - started < 2000, 'waited for the timeout instead');
  });

  it('fails a browse and a publication too', async () => {
    const browse = await firstValueFrom(
      new NetServiceBrowser().browse$('_echo._tcp.', 'local.'),
    ).catch((e: StreamError) => e);
    assert.equal((browse as StreamError).code, ENODEV);
    const publish = await new NetService('local.', '_echo._tcp.', 'Nowhere', 7)
      .publish()
      .catch((e: StreamError) => e);
    assert.equal((publish as StreamError).code, ENODEV);
  });

  it('replaces a broken engine on next use', async () => {
    const first = getMdnsEngine();
    await first.ready();
    assert.equal(first.broken, true);
    // Same options, so the new one is broken too: what matters is that it was made afresh.
    const second = getMdnsEngine();
    assert.notEqual(second, first);
    assert.equal(first.closed, true);
  });

  it('holds nothing for finished waiters on a healthy engine', async () => {
    const { engine, clock } = await fakeEngine();
    try {
      // Three lookups that end (two aborted, one timed out) must leave no failure listener behind.
      const aborts = [new AbortController(), new AbortController()];
      const lookups = aborts.map((a) =>
        resolveHostWithEngine(engine, 'gone.local', { signal: a.signal, timeoutMs: 60_000 }).catch(
          (e: unknown) => e,
        ),
      );
      const timedOut = resolveHostWithEngine(engine, 'never.local', {
        signal: new AbortController().signal,
        timeoutMs: 1,
      }).catch((e: unknown) => e);
      assert.equal(engine.failureListenerCount, 3);
      for (const a of aborts) a.abort(new Error('done'));
      await Promise.all(lookups);
      clock.advance(5);
      await timedOut;
      assert.equal(engine.failureListenerCount, 0);
    } finally {
      engine.close();
    }
  });
});
