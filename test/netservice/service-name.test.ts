import assert from 'node:assert/strict';
import { StreamEvent } from '../../src/constants.js';
import { NetServicesError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { NetService } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';

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

  it('fails clearly for domains other than local.', async () => {
    const s = new NetService('example.com.', '_http._tcp', 'Web');
    await assert.rejects(
      s.resolveForConnect(new AbortController().signal),
      /unicast DNS-SD is not implemented/,
    );
    assert.equal(s.cachedResolution(), undefined);
    // A pair to it opens without throwing and reports the error as an event.
    const pair = createPairWithSocketToNetService(s);
    const error = new Promise<StreamError | null>((resolve) =>
      pair.readStream.setClient(StreamEvent.ErrorOccurred, (stream) => resolve(stream.copyError())),
    );
    assert.doesNotThrow(() => pair.open());
    assert.equal((await error)?.code, NetServicesError.BadArgument);
    pair.close();
  });
});
