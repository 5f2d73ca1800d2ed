/**
 * A wide-area service that moved to another port (its SRV changed on the
 * server with nsupdate) while our cache still held the old SRV: the next open
 * fails to connect to the old port, drops the cached records of the instance,
 * asks BIND again and connects to the new port. A service gone for good still
 * fails with the connection error.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { StreamEvent } from '../../src/constants.js';
import {
  configureUnicastDNS,
  createPairWithSocketToNetService,
  ErrorDomain,
  NetService,
  type StreamError,
} from '../../src/index.js';
import { resetUnicastDNS } from '../../src/unicast/config.js';
import { type BindServer, bindUnavailable, startBind } from '../support/bind.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startEchoServer } from '../support/tcp-peers.js';

const OWNER = 'Mover\\032Here._echo._tcp.example.test.';

describe('unicast DNS-SD: a service that moved (integration, BIND 9)', function () {
  this.timeout(30_000);
  let bind: BindServer | undefined;

  before(() => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
  });
  afterEach(async () => {
    resetUnicastDNS();
    await bind?.stop();
    bind = undefined;
  });

  async function startWith(port: number): Promise<BindServer> {
    // A TTL of an hour: without a reconfirmation the old SRV would be used all that time.
    const server = await startBind({
      ttl: 3600,
      records: [
        'host IN A 127.0.0.1',
        `Mover\\032Here._echo._tcp IN SRV 0 0 ${port} host`,
        'Mover\\032Here._echo._tcp IN TXT ""',
      ],
    });
    configureUnicastDNS({ servers: [server.server], timings: { queryTimeoutMs: 1000 } });
    return server;
  }

  it('the next open connects to the new port although the cache held the old SRV', async () => {
    const first = await startEchoServer();
    bind = await startWith(first.port);
    const service = new NetService('example.test.', '_echo._tcp', 'Mover Here');
    const before = await service.resolveForConnect(new AbortController().signal, 3000);
    assert.equal(before.port, first.port);
    await first.close();
    const second = await startEchoServer();
    try {
      await bind.nsupdate([
        `update delete ${OWNER} SRV`,
        `update add ${OWNER} 3600 SRV 0 0 ${second.port} host.example.test.`,
      ]);
      assert.deepEqual(bind.dig(OWNER, 'SRV'), [`0 0 ${second.port} host.example.test.`]);
      assert.equal(service.cachedResolution()?.port, first.port, 'the cache holds the old SRV');
      const pair = createPairWithSocketToNetService(service);
      const data = randomBytes(10_000);
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      assert.equal(service.port, second.port);
      assert.equal(service.cachedResolution()?.port, second.port, 'the cache holds the new SRV');
      pair.close();
    } finally {
      await second.close();
    }
  });

  it('a service gone for good still fails with the connection error', async () => {
    const gone = await startEchoServer();
    bind = await startWith(gone.port);
    const service = new NetService('example.test.', '_echo._tcp', 'Mover Here');
    await service.resolveForConnect(new AbortController().signal, 3000);
    await gone.close();
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
    // The server was asked again and gave the same SRV: that answer is cached afresh.
    assert.equal(service.cachedResolution()?.port, gone.port);
    pair.close();
  });
});
