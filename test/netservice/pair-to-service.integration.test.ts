/**
 * Pairs to a service, end to end over real multicast inside a private
 * network namespace: connect by name to what avahi-daemon publishes and to
 * what our responder publishes from another process; many pairs share one
 * resolution; a service that is gone reaches both streams as a NetServices
 * error. Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { kCFStreamPropertySocketRemoteNetService, StreamEvent } from '../../src/constants.js';
import { ErrorDomain, NetServicesError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { getMdnsEngine, resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService, type StreamPair } from '../../src/stream/stream-pair.js';
import { type Avahi, avahiAvailable, startAvahi } from '../support/avahi.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startEchoServer } from '../support/tcp-peers.js';
import { Agent, agentCommand } from './lan-agent-client.js';

/** Resolves with the error each stream of the pair reports (both must report one). */
function errorsOf(pair: StreamPair): Promise<(StreamError | null)[]> {
  const one = (stream: StreamPair['readStream'] | StreamPair['writeStream']) =>
    new Promise<StreamError | null>((resolve, reject) => {
      stream.setClient(31, (s, type) => {
        if (type === StreamEvent.ErrorOccurred) resolve(s.copyError());
        else if (type === StreamEvent.OpenCompleted) reject(new Error('opened a vanished service'));
      });
    });
  const both = Promise.all([one(pair.readStream), one(pair.writeStream)]);
  pair.open();
  return both;
}

const isNetServicesGone = (e: StreamError | null): boolean =>
  e?.domain === ErrorDomain.NetServices &&
  (e.code === NetServicesError.Timeout || e.code === NetServicesError.NotFound);

describe('pairs to a service (integration)', function () {
  this.timeout(30000);
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(() => resetMdnsEngine());

  describe('published by avahi-daemon', () => {
    let avahi: Avahi | undefined;
    afterEach(async () => {
      await avahi?.stop();
      avahi = undefined;
    });

    it('connects by name and echoes; kCFStreamPropertySocketRemoteNetService is the service', async () => {
      // A missing avahi-daemon is a failure, not a skip: a skipped test proves nothing.
      assert.ok(avahiAvailable(), 'avahi-daemon is needed (apt-get install avahi-daemon)');
      const echo = await startEchoServer();
      try {
        avahi = await startAvahi({
          services: [{ name: 'Avahi Pair', type: '_echo._tcp', port: echo.port }],
        });
        await avahi.waitForLog(/Avahi Pair.*successfully established/);
        const service = NetService.parse('Avahi Pair._echo._tcp.local.');
        const pair = createPairWithSocketToNetService(service);
        assert.equal(
          pair.readStream.copyProperty(kCFStreamPropertySocketRemoteNetService),
          service,
        );
        assert.equal(
          pair.writeStream.copyProperty(kCFStreamPropertySocketRemoteNetService),
          service,
        );
        const data = randomBytes(100_000);
        const result = await echoThroughCF(pair, data);
        assert.equal(result.sha256, sha256(data));
        assert.equal(service.port, echo.port);
        assert.equal(service.hostName, 'avahihost.local');
        pair.close();
      } finally {
        await echo.close();
      }
    });
  });

  describe('published by avahi-daemon on port 0', () => {
    let avahi: Avahi | undefined;
    afterEach(async () => {
      await avahi?.stop();
      avahi = undefined;
    });

    it('refuses to connect to port 0 by the port rule (POSIX EINVAL), on both streams', async () => {
      assert.ok(avahiAvailable(), 'avahi-daemon is needed (apt-get install avahi-daemon)');
      avahi = await startAvahi({ services: [{ name: 'Port Zero', type: '_echo._tcp', port: 0 }] });
      await avahi.waitForLog(/Port Zero.*successfully established/);
      const pair = createPairWithSocketToNetService(
        NetService.parse('Port Zero._echo._tcp.local.'),
      );
      try {
        const errors = await errorsOf(pair);
        for (const error of errors) {
          assert.equal(error?.domain, ErrorDomain.POSIX);
          assert.equal(error?.code, 22); // EINVAL on Linux
          assert.match(String(error?.message), /port must be an integer from 1 to 65535, got 0/);
        }
      } finally {
        pair.close();
      }
    });
  });

  describe('published by our responder in another process', () => {
    let agent: Agent;
    let child: ReturnType<typeof spawn>;
    beforeEach(async () => {
      const [cmd, ...args] = agentCommand('agent.local');
      child = spawn(cmd as string, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      agent = new Agent(child);
      await agent.ready;
    });
    afterEach(async () => {
      await agent.stop();
    });

    it('connects by name and echoes; the property holds the service', async () => {
      const { name } = await agent.request<{ name: string }>('publish', { name: 'Agent Echo' });
      const service = NetService.parse(`${name}._echo._tcp.local.`);
      const pair = createPairWithSocketToNetService(service);
      const data = randomBytes(64 * 1024);
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      assert.equal(pair.readStream.copyProperty(kCFStreamPropertySocketRemoteNetService), service);
      assert.equal(service.hostName, 'agent.local');
      pair.close();
    });

    it('a second pair connects from the cache (cachedResolution): no query on the wire', async () => {
      const { name } = await agent.request<{ name: string }>('publish', { name: 'Warm Echo' });
      const service = NetService.parse(`${name}._echo._tcp.local.`);
      assert.equal(service.cachedResolution(), undefined, 'nothing cached before the first open');
      const data = Buffer.from('warm');
      const first = createPairWithSocketToNetService(service);
      assert.equal((await echoThroughCF(first, data)).sha256, sha256(data));
      first.close();
      const cached = service.cachedResolution();
      assert.equal(cached?.hostName, 'agent.local');
      assert.equal(cached?.port, service.port);
      const engine = getMdnsEngine();
      const before = engine.querier.packetsSent;
      const second = createPairWithSocketToNetService(service);
      assert.equal((await echoThroughCF(second, data)).sha256, sha256(data));
      second.close();
      assert.equal(engine.querier.packetsSent, before, 'the warm open asked the network');
      assert.equal(engine.querier.activeCount, 0);
    });

    it('1,000 concurrent pairs to one unresolved service share one resolution (<= 3 queries)', async () => {
      const { name } = await agent.request<{ name: string }>('publish', { name: 'Busy Echo' });
      const service = NetService.parse(`${name}._echo._tcp.local.`);
      const engine = getMdnsEngine();
      const before = engine.querier.packetsSent;
      const pairs = Array.from({ length: 1000 }, () => createPairWithSocketToNetService(service));
      const opened = pairs.map(
        (pair) =>
          new Promise<void>((resolve, reject) => {
            pair.readStream.setClient(
              StreamEvent.OpenCompleted | StreamEvent.ErrorOccurred,
              (s, t) => (t === StreamEvent.OpenCompleted ? resolve() : reject(s.copyError())),
            );
          }),
      );
      // The goal is about the wire in the first second; a slow machine may still be connecting then.
      let inFirstSecond: number | undefined;
      const oneSecond = setTimeout(() => {
        inFirstSecond = engine.querier.packetsSent - before;
      }, 1000);
      for (const pair of pairs) pair.open();
      await Promise.all(opened);
      clearTimeout(oneSecond);
      const queries = inFirstSecond ?? engine.querier.packetsSent - before;
      for (const pair of pairs) pair.close();
      assert.ok(queries <= 3, `${queries} query packets in the first second`);
      // One more pair echoes through the same resolution's cache.
      const data = Buffer.from('after the crowd');
      const last = createPairWithSocketToNetService(service);
      assert.equal((await echoThroughCF(last, data)).sha256, sha256(data));
      last.close();
    });

    it('a service stopped mid-way (goodbye) gives both streams a NetServices error, not a dead port', async () => {
      const { name } = await agent.request<{ name: string }>('publish', { name: 'Leaving Echo' });
      const service = NetService.parse(`${name}._echo._tcp.local.`);
      const first = createPairWithSocketToNetService(service);
      const data = Buffer.from('still here');
      assert.equal((await echoThroughCF(first, data)).sha256, sha256(data));
      first.close();
      // The goodbye arrives while the cache still holds the SRV; the next open must not use it.
      await agent.request('unpublish', { name });
      await new Promise((r) => setTimeout(r, 50));
      const errors = await errorsOf(createPairWithSocketToNetService(service));
      assert.ok(errors.every(isNetServicesGone), JSON.stringify(errors.map((e) => e?.code)));
    });
  });

  it('a service that was never there gives both streams NetServices Timeout (-72007), no crash', async () => {
    const errors = await errorsOf(
      createPairWithSocketToNetService(NetService.parse('Nobody Home._echo._tcp.local.')),
    );
    assert.equal(errors.length, 2);
    for (const error of errors) {
      assert.equal(error?.domain, ErrorDomain.NetServices);
      assert.equal(error?.code, NetServicesError.Timeout);
    }
  });
});
