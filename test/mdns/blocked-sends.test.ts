/** Multicast refused by the system (macOS Local Network privacy, a firewall): lookups fail at once. */
import assert from 'node:assert/strict';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { resolveHostWithEngine, resolveServiceWithEngine } from '../../src/mdns/index.js';
import { blockedSendHint } from '../../src/mdns/platform.js';
import { fakeEngine } from './fake-network.js';

const errno = (code: string): Error =>
  Object.assign(new Error(`send ${code} 224.0.0.251:5353`), { code });

describe('mdns multicast refused by the system', () => {
  for (const [code, number] of [
    ['EPERM', 1],
    ['EACCES', 13],
    ['EHOSTUNREACH', 113],
  ] as const) {
    it(`${code}: a waiting lookup fails at its first query, naming the cause`, async () => {
      const { engine, net, clock } = await fakeEngine();
      try {
        net.failMulticast = errno(code);
        const pending = resolveServiceWithEngine(engine, 'Svc._echo._tcp.local', {
          signal: new AbortController().signal,
          timeoutMs: 5000,
        }).then(
          () => assert.fail('resolved'),
          (e: unknown) => e as StreamError,
        );
        clock.advance(0);
        const error = await pending;
        assert.equal(error.domain, ErrorDomain.POSIX);
        assert.equal(error.code, number);
        assert.match(error.message, new RegExp(`mDNS queries cannot leave this host \\(${code}`));
        assert.equal(engine.querier.activeCount, 0, 'its questions stop');
        // The engine stays usable: once the system lets queries out, lookups work again.
        net.failMulticast = undefined;
        const later = resolveHostWithEngine(engine, 'peer.local', {
          signal: new AbortController().signal,
          timeoutMs: 1000,
        }).then(
          () => assert.fail('resolved'),
          (e: unknown) => e as StreamError,
        );
        clock.advance(0);
        assert.ok(net.take().length > 0);
        clock.advance(1000);
        assert.equal((await later).code, -72007);
      } finally {
        engine.close();
      }
    });
  }

  it('a passing fault (ENOBUFS) does not fail the lookup: it retries and times out as usual', async () => {
    const { engine, net, clock } = await fakeEngine();
    try {
      net.failMulticast = errno('ENOBUFS');
      const pending = resolveHostWithEngine(engine, 'peer.local', {
        signal: new AbortController().signal,
        timeoutMs: 3000,
      }).then(
        () => assert.fail('resolved'),
        (e: unknown) => e as StreamError,
      );
      clock.advance(2999);
      let settled = false;
      void pending.then(() => {
        settled = true;
      });
      await Promise.resolve();
      assert.equal(settled, false);
      clock.advance(1);
      assert.equal((await pending).code, -72007);
    } finally {
      engine.close();
    }
  });

  it('the hint names what blocks it on each platform', () => {
    assert.match(blockedSendHint('EHOSTUNREACH', { platform: 'darwin' }), /Local Network/);
    assert.match(blockedSendHint('EPERM', { platform: 'darwin' }), /Local Network/);
    assert.match(blockedSendHint('EACCES', { platform: 'win32' }), /Firewall/);
    assert.match(blockedSendHint('EPERM', { platform: 'linux' }), /firewall/);
    assert.match(blockedSendHint('EHOSTUNREACH', { platform: 'linux' }), /no route for multicast/);
  });
});
