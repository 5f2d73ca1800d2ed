/** Pairs through SOCKS: real dante-server, a refusing scripted proxy, LocalBypass and property checks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  kCFStreamPropertyProxyLocalBypass,
  kCFStreamPropertySOCKSPassword,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySOCKSProxyHost,
  kCFStreamPropertySOCKSProxyPort,
  kCFStreamPropertySOCKSUser,
  kCFStreamPropertySOCKSVersion,
  kCFStreamSocketSOCKSVersion4,
  StreamEvent,
} from '../../src/constants.js';
import { ErrorDomain, SOCKSSubdomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
} from '../../src/errors.js';
import { MdnsEngine, resetMdnsEngine } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { NetService } from '../../src/netservice/index.js';
import {
  createPairWithSocketToHost,
  createPairWithSocketToNetService,
} from '../../src/stream/stream-pair.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { DANTE_PASSWORD, DANTE_USER, danteUnavailable, startDante } from '../support/dante.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startEchoServer } from '../support/tcp-peers.js';
import { startScriptedProxy } from './scripted-proxy.js';

describe('pairs through a SOCKS proxy', function () {
  this.timeout(30_000);
  before(() => {
    requirePrivateNetwork();
    const reason = danteUnavailable();
    if (reason !== undefined) throw new Error(`dante-server is needed for these tests: ${reason}`);
  });

  for (const [label, auth, extra] of [
    ['SOCKS5 without auth', false, {}],
    [
      'SOCKS5 with username and password',
      true,
      {
        [kCFStreamPropertySOCKSUser]: DANTE_USER,
        [kCFStreamPropertySOCKSPassword]: DANTE_PASSWORD,
      },
    ],
    ['SOCKS4', false, { [kCFStreamPropertySOCKSVersion]: kCFStreamSocketSOCKSVersion4 }],
  ] as const) {
    it(`echoes 1 MiB through dante with ${label}`, async () => {
      const dante = await startDante({ auth });
      const echo = await startEchoServer();
      try {
        const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
        const proxy = {
          [kCFStreamPropertySOCKSProxyHost]: dante.host,
          [kCFStreamPropertySOCKSProxyPort]: dante.port,
          ...extra,
        };
        assert.equal(pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, proxy), true);
        const data = randomBytes(1024 * 1024);
        const result = await echoThroughCF(pair, data);
        assert.equal(result.sha256, sha256(data));
        // dante logged the connect to the echo server: the bytes went through the proxy.
        assert.match(dante.log(), new RegExp(`127\\.0\\.0\\.1\\.${echo.port}\\b`));
        pair.close();
      } finally {
        await echo.close();
        await dante.stop();
      }
    });
  }

  it('reports a wrong password as subdomain SOCKS5UserPass with the server status', async () => {
    const dante = await startDante({ auth: true });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', 9);
      pair.writeStream.setProperty(kCFStreamPropertySOCKSProxy, {
        [kCFStreamPropertySOCKSProxyHost]: dante.host,
        [kCFStreamPropertySOCKSProxyPort]: dante.port,
        [kCFStreamPropertySOCKSUser]: DANTE_USER,
        [kCFStreamPropertySOCKSPassword]: 'wrong-secret',
      });
      const error = await new Promise<ReturnType<typeof pair.readStream.copyError>>((resolve) => {
        pair.readStream.setClient(StreamEvent.ErrorOccurred, (s) => resolve(s.copyError()));
        pair.open();
      });
      assert.equal(error?.domain, ErrorDomain.SOCKS);
      assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error!), SOCKSSubdomain.SOCKS5UserPass);
      assert.notEqual(CFSocketStreamSOCKSGetError(error!), 0);
      assert.doesNotMatch(error!.message, /wrong-secret/);
      assert.equal(pair.writeStream.getError().error, error!.code);
      pair.close();
    } finally {
      await dante.stop();
    }
  });

  it('reports a proxy refusal to both streams in the SOCKS domain', async () => {
    const proxy = await startScriptedProxy(async (connection) => {
      await connection.read(3);
      connection.write([5, 0]);
      await connection.read(10);
      connection.write([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]); // connection refused
    });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', 7);
      pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
        SOCKSProxy: '127.0.0.1',
        SOCKSPort: proxy.port,
      });
      const errors = await new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const onError = (s: { getError(): { error: number } }): void => {
          seen.push(s.getError().error);
          if (seen.length === 2) resolve(seen);
        };
        pair.readStream.setClient(StreamEvent.ErrorOccurred, onError);
        pair.writeStream.setClient(StreamEvent.ErrorOccurred, onError);
        pair.open();
      });
      assert.deepEqual(errors, [
        (SOCKSSubdomain.SOCKS5Response << 16) | 5,
        (SOCKSSubdomain.SOCKS5Response << 16) | 5,
      ]);
      pair.close();
    } finally {
      await proxy.close();
    }
  });

  it('connects directly to names without a dot under LocalBypass', async () => {
    const proxy = await startScriptedProxy(async () => {});
    const echo = await startEchoServer();
    try {
      const pair = createPairWithSocketToHost('localhost', echo.port);
      pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
        SOCKSProxy: '127.0.0.1',
        SOCKSPort: proxy.port,
      });
      pair.readStream.setProperty(kCFStreamPropertyProxyLocalBypass, true);
      const data = randomBytes(1000);
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      assert.equal(proxy.connections.length, 0);
      pair.close();
    } finally {
      await echo.close();
      await proxy.close();
    }
  });

  it('checks the proxy property when it is set, and refuses it once open', () => {
    const pair = createPairWithSocketToHost('127.0.0.1', 80);
    assert.throws(
      () =>
        pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
          SOCKSProxy: 'x',
          SOCKSPort: 70000,
        }),
      RangeError,
    );
    assert.throws(
      () =>
        pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
          SOCKSProxy: 'h'.repeat(300),
          SOCKSPort: 1080,
        }),
      /255/,
    );
    assert.throws(
      () => pair.readStream.setProperty(kCFStreamPropertyProxyLocalBypass, 'yes'),
      TypeError,
    );
    const dictionary = { SOCKSProxy: '127.0.0.1', SOCKSPort: '1080' };
    assert.equal(pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, dictionary), true);
    // Both streams see the dictionary as it was given, as a copy.
    const seen = pair.writeStream.copyProperty(kCFStreamPropertySOCKSProxy) as Record<
      string,
      unknown
    >;
    assert.deepEqual(seen, dictionary);
    assert.notEqual(seen, dictionary);
    pair.readStream.open();
    assert.equal(
      pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
        SOCKSProxy: '127.0.0.1',
        SOCKSPort: 1080,
      }),
      false,
    );
    pair.close();
  });

  describe('to a NetService', () => {
    let peer: MdnsEngine;
    beforeEach(() => {
      resetMdnsEngine({ timings: { probeInitialDelayMax: 20 } });
      peer = new MdnsEngine({
        timings: { probeInitialDelayMax: 20 },
        hostName: 'socks-peer.local',
      });
    });
    afterEach(() => {
      peer.close();
      resetMdnsEngine();
    });

    for (const bypass of [false, true]) {
      it(`resolves by mDNS, then ${bypass ? 'connects directly under LocalBypass' : 'sends the address through the proxy'}`, async () => {
        const dante = await startDante({ auth: false });
        const echo = await startEchoServer();
        const publication = publishWithEngine(peer, {
          name: 'Proxied Echo',
          type: '_echo._tcp.',
          domain: 'local.',
          port: echo.port,
          txt: [],
          noRename: false,
        });
        try {
          await publication.registered;
          const pair = createPairWithSocketToNetService(
            NetService.parse('Proxied Echo._echo._tcp.local.'),
          );
          pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
            SOCKSProxy: '127.0.0.1',
            SOCKSPort: dante.port,
          });
          if (bypass) pair.readStream.setProperty(kCFStreamPropertyProxyLocalBypass, true);
          const data = randomBytes(64 * 1024);
          assert.equal((await echoThroughCF(pair, data)).sha256, sha256(data));
          // The proxy saw the connect to the service's port only when it was not bypassed.
          const proxied = new RegExp(`\\.${echo.port}\\b`).test(dante.log());
          assert.equal(proxied, !bypass);
          pair.close();
        } finally {
          await publication.stop();
          await echo.close();
          await dante.stop();
        }
      });
    }
  });
});
