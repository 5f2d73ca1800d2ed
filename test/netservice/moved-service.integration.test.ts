/**
 * A service that moved to another port without announcing it (RFC 6762
 * §10.4): the next open to it still connects, through a fresh resolution.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { StreamEvent } from '../../src/constants.js';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { getMdnsEngine, resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { type SilentResponder, startSilentResponder } from '../support/silent-responder.js';
import { startEchoServer } from '../support/tcp-peers.js';

const INSTANCE = 'Mover._echo._tcp.local';

describe('a service that moved without announcing it (integration)', function () {
  this.timeout(20_000);
  let responder: SilentResponder | undefined;
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(async () => {
    await responder?.close();
    responder = undefined;
    resetMdnsEngine();
  });

  it('the next open connects to the new port (the cache still held the old SRV)', async () => {
    const first = await startEchoServer();
    responder = await startSilentResponder(INSTANCE, 'mover.local', first.port);
    const service = NetService.parse(`${INSTANCE}.`);
    const before = await service.resolveForConnect(new AbortController().signal, 3000);
    assert.equal(before.port, first.port);
    // The service restarts on another port and says nothing.
    await first.close();
    const second = await startEchoServer();
    try {
      responder.port = second.port;
      assert.equal(
        service.cachedResolution()?.port,
        first.port,
        'the cache still holds the old SRV',
      );
      const pair = createPairWithSocketToNetService(service);
      const data = randomBytes(10_000);
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      assert.equal(service.port, second.port);
      pair.close();
    } finally {
      await second.close();
    }
  });

  it('50 pairs opened at once after the move all connect, with a few queries on the wire', async () => {
    const first = await startEchoServer();
    responder = await startSilentResponder(INSTANCE, 'mover.local', first.port);
    const service = NetService.parse(`${INSTANCE}.`);
    await service.resolveForConnect(new AbortController().signal, 3000);
    await first.close();
    const second = await startEchoServer();
    try {
      responder.port = second.port;
      const before = getMdnsEngine().querier.packetsSent;
      const pairs = Array.from({ length: 50 }, () => createPairWithSocketToNetService(service));
      const results = await Promise.all(
        pairs.map((pair) => echoThroughCF(pair, Buffer.from('hi'))),
      );
      assert.ok(results.every((r) => r.bytes === 2));
      // One reconfirmation and one fresh resolve: a few packets, not one per pair.
      const sent = getMdnsEngine().querier.packetsSent - before;
      assert.ok(sent <= 4, `${sent} query packets`);
      for (const pair of pairs) pair.close();
    } finally {
      await second.close();
    }
  });

  it('a service gone for good still fails with the connection error, after reconfirming', async () => {
    const gone = await startEchoServer();
    responder = await startSilentResponder(INSTANCE, 'mover.local', gone.port);
    const service = NetService.parse(`${INSTANCE}.`);
    await service.resolveForConnect(new AbortController().signal, 3000);
    await gone.close();
    responder.answering = false;
    const pair = createPairWithSocketToNetService(service);
    const error = await new Promise<StreamError | null>((resolve, reject) => {
      pair.readStream.setClient(
        StreamEvent.ErrorOccurred | StreamEvent.OpenCompleted,
        (s, type) => {
          if (type === StreamEvent.ErrorOccurred) resolve(s.copyError());
          else reject(new Error('opened a service that is gone'));
        },
      );
      pair.open();
    });
    assert.equal(error?.domain, ErrorDomain.POSIX);
    assert.equal(service.cachedResolution(), undefined, 'the stale records are in dispute');
    pair.close();
  });
});
