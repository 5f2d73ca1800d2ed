/**
 * Real multicast between two engines on one host. Run inside a private
 * network namespace: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import {
  getMdnsEngine,
  MdnsEngine,
  resetMdnsEngine,
  resolveLocalHostName,
} from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';

const FAST = { timings: { probeInitialDelayMax: 20 } };

describe('NetService over real multicast (integration)', () => {
  before(() => {
    if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
      throw new Error(
        'mDNS integration tests send multicast: run them with `node scripts/in-private-network.mjs npx mocha <files>`',
      );
    }
  });
  let peer: MdnsEngine;
  beforeEach(() => {
    resetMdnsEngine(FAST);
    peer = new MdnsEngine({ ...FAST, hostName: 'peer.local' });
  });
  afterEach(() => {
    peer.close();
    resetMdnsEngine();
  });

  const publishOnPeer = (name: string, port: number, txt: Buffer[] = [Buffer.from('k=v')]) =>
    publishWithEngine(peer, {
      name,
      type: '_echo._tcp.',
      domain: 'local.',
      port,
      txt,
      noRename: false,
    });

  it('resolves a service another engine publishes, with TXT, and the host name', async () => {
    await publishOnPeer('Peer Echo', 7001).registered;
    const info = await firstValueFrom(
      NetService.parse('Peer Echo._echo._tcp.local.').resolve$({ timeout: 3000 }),
    );
    assert.equal(info.port, 7001);
    assert.equal(info.hostName, 'peer.local');
    assert.deepEqual(info.txt, { k: Buffer.from('v') });
    assert.ok(info.addresses.some((a) => a.address === '127.0.0.1'));
    const addresses = await resolveLocalHostName('peer.local', {
      signal: new AbortController().signal,
    });
    assert.ok(addresses.some((a) => a.address === '127.0.0.1'));
  });

  it('times out with NetServices Timeout -72007', async () => {
    await assert.rejects(
      firstValueFrom(NetService.parse('Nobody._echo._tcp.local.').resolve$({ timeout: 300 })),
      (e: { code?: number }) => e.code === -72007,
    );
  });

  it('browses: found, then removed after the goodbye', async () => {
    const events = firstValueFrom(
      new NetServiceBrowser().browse$('_echo._tcp').pipe(
        filter((e) => e.service.name === 'Browsed'),
        take(2),
        toArray(),
      ),
    );
    const pub = publishOnPeer('Browsed', 7002);
    await pub.registered;
    await new Promise((r) => setTimeout(r, 200));
    await pub.stop();
    const [found, removed] = await events;
    assert.equal(found?.kind, 'found');
    assert.equal(removed?.kind, 'removed');
  });

  it('renames on conflict: "Name (2)"', async () => {
    await publishOnPeer('Taken', 7003).registered;
    const service = new NetService('local.', '_echo._tcp', 'Taken');
    assert.equal(await service.publish({ port: 7004 }), 'Taken (2)');
    assert.equal(service.toString(), 'Taken (2)._echo._tcp.local.');
    await service.stop();
  });

  it('1,000 concurrent resolveForConnect share one resolution: at most 3 queries on the wire', async () => {
    await publishOnPeer('Popular', 7005).registered;
    const service = NetService.parse('Popular._echo._tcp.local.');
    const before = getMdnsEngine().querier.packetsSent;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => {
        const c = new AbortController();
        setMaxListeners(0, c.signal);
        return service.resolveForConnect(c.signal, 3000);
      }),
    );
    assert.ok(performance.now() - started < 1000);
    assert.ok(results.every((r) => r.port === 7005));
    assert.ok(getMdnsEngine().querier.packetsSent - before <= 3);
  });

  it('resolves a python-zeroconf service (interop) quickly', async () => {
    const child = spawn('/usr/bin/python3', ['-c', ZEROCONF_PUBLISHER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`python3-zeroconf exited ${code}`)));
      });
      const started = performance.now();
      const r = await NetService.parse('Zc Echo._echo._tcp.local.').resolveForConnect(
        new AbortController().signal,
        3000,
      );
      assert.equal(r.port, 7777);
      assert.ok(performance.now() - started < 500);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

const ZEROCONF_PUBLISHER = `
import socket, time
from zeroconf import Zeroconf, ServiceInfo
zc = Zeroconf(interfaces=['127.0.0.1'])
info = ServiceInfo('_echo._tcp.local.', 'Zc Echo._echo._tcp.local.', addresses=[socket.inet_aton('127.0.0.1')], port=7777, server='zchost.local.')
zc.register_service(info)
print('ready', flush=True)
time.sleep(30)
`;
