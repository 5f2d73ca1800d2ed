import assert from 'node:assert/strict';
import { StreamEvent } from '../../src/constants.js';
import { NetServicesError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { NetService } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';
import { configureUnicastDNS, resetUnicastDNS } from '../../src/unicast/config.js';

describe('NetService names', () => {
  it('parses a plain instance name', () => {
    const s = NetService.parse('My Echo._echo._tcp.local.');
    assert.equal(s.name, 'My Echo');
    assert.equal(s.type, '_echo._tcp.');
    assert.equal(s.domain, 'local.');
    assert.equal(String(s), 'My Echo._echo._tcp.local.');
  });

  it('honours RFC 6763 escapes: \\. \\\\ and \\DDD (UTF-8 bytes)', () => {
    const s = NetService.parse('A\\.B\\\\C \\195\\169t\\032x._ipp._tcp.local');
    assert.equal(s.name, 'A.B\\C ét x');
    assert.throws(() => NetService.parse('bad\\233._ipp._tcp.local'), /UTF-8/);
    assert.equal(
      new NetService('local', '_ipp._tcp', 'A.B\\C').toString(),
      'A\\.B\\\\C._ipp._tcp.local.',
    );
  });

  it('round-trips names through toString and parse', () => {
    for (const name of ['Büro Drucker', 'dots.in.name', 'back\\slash', '日本語 (2)']) {
      const s = new NetService('local.', '_http._tcp', name);
      assert.equal(NetService.parse(s.toString()).name, name);
    }
  });

  it('refuses malformed types and over-long names with BadArgument', () => {
    for (const make of [
      () => new NetService('local.', 'echo', 'x'),
      () => new NetService('local.', '_echo._sctp', 'x'),
      () => new NetService('local.', '_echo._tcp', 'x'.repeat(64)),
      () => new NetService('local.', '_echo._tcp', ''),
      () => NetService.parse('no-type-here.local.'),
    ]) {
      assert.throws(make, (e: { code?: number }) => e.code === NetServicesError.BadArgument);
    }
  });

  it('refuses types with a hyphen first, last or doubled, or no letter (RFC 6335 §5.1)', () => {
    for (const type of ['_-abc._tcp', '_abc-._tcp', '_a--b._tcp', '_a_b._tcp', '_123._udp']) {
      assert.throws(
        () => new NetService('local.', type, 'x'),
        (e: { code?: number; message?: string }) =>
          e.code === NetServicesError.BadArgument && /RFC 6335/.test(e.message ?? ''),
        type,
      );
    }
    for (const type of ['_a-b._tcp', '_sleep-proxy._udp', '_9p2000._tcp', '_X._tcp'])
      assert.doesNotThrow(() => new NetService('local.', type, 'x'), type);
  });

  it('refuses a name with a lone UTF-16 surrogate anywhere, and publish refuses NUL and controls', async () => {
    for (const name of ['bad\uD800', '\uDC00bad', 'a\uDBFFb'])
      assert.throws(
        () => new NetService('local.', '_echo._tcp', name),
        (e: { code?: number }) => e.code === NetServicesError.BadArgument,
      );
    assert.doesNotThrow(() => new NetService('local.', '_echo._tcp', 'smile \uD83D\uDE00'));
    for (const name of ['nul\u0000name', 'tab\tname', 'del\u007f']) {
      // A peer's odd name can still be named (to resolve it); publishing one is refused before any I/O.
      const service = new NetService('local.', '_echo._tcp', name);
      await assert.rejects(
        service.publish({ port: 1 }),
        (e: { code?: number; message?: string }) =>
          e.code === NetServicesError.BadArgument && /control character/.test(e.message ?? ''),
      );
    }
  });

  it('sends other domains to unicast DNS-SD: a silent server fails clearly', async () => {
    // Port 9 of loopback: nothing answers there (unicast DNS-SD, RFC 6763, serves every domain but local.).
    configureUnicastDNS({ servers: ['127.0.0.1:9'], timings: { queryTimeoutMs: 100 } });
    try {
      await failsClearly();
    } finally {
      resetUnicastDNS();
    }
  });
});

async function failsClearly(): Promise<void> {
  const s = new NetService('example.com.', '_http._tcp', 'Web');
  await assert.rejects(
    s.resolveForConnect(new AbortController().signal),
    /no answer from DNS server 127\.0\.0\.1:9/,
  );
  assert.equal(s.cachedResolution(), undefined);
  // A pair to it opens without throwing and reports the error as an event.
  const pair = createPairWithSocketToNetService(s);
  const error = new Promise<StreamError | null>((resolve) =>
    pair.readStream.setClient(StreamEvent.ErrorOccurred, (stream) => resolve(stream.copyError())),
  );
  assert.doesNotThrow(() => pair.open());
  assert.equal((await error)?.code, NetServicesError.Timeout);
  pair.close();
}
