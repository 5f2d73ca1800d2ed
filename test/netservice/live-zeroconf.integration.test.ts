/**
 * The live half of Bonjour against python-zeroconf, both directions: our
 * services$ and monitor$ see its update_service, its browser sees our
 * setTXTData as an update (never a removal), subtypes and the RFC 6763 §9
 * type enumeration both ways. Run inside a private network namespace:
 * node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { CFNetServiceSetTXTData } from '../../src/cf-functions.js';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import {
  createTXTDataWithDictionary,
  NetService,
  NetServiceBrowser,
  type ServiceEvent,
  type ServiceTypeEvent,
} from '../../src/netservice/index.js';
import { ZeroconfPeer } from '../support/zeroconf-peer.js';

import { firstMatch, record, txtOf } from './live-events.js';

const FAST = { timings: { probeInitialDelayMax: 20 } };

describe('live Bonjour against python-zeroconf (integration)', function () {
  this.timeout(30_000);
  let peer: ZeroconfPeer;
  let server: Server;
  let port: number;
  before(() => {
    if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1')
      throw new Error('run with `node scripts/in-private-network.mjs npx mocha <files>`');
  });
  beforeEach(async () => {
    resetMdnsEngine(FAST);
    peer = new ZeroconfPeer();
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await peer.close();
    await new Promise((r) => server.close(r));
    resetMdnsEngine();
  });

  it('services$ reports its service found with TXT, updated after update_service, removed after unregister', async () => {
    const live = record(NetServiceBrowser.services$('_zlive._tcp'));
    try {
      await peer.request('register', {
        name: 'Zc Live',
        type: '_zlive._tcp.local.',
        port: 7100,
        txt: { v: '1' },
      });
      const found = await firstMatch(live.seen, (e) => e.kind === 'found');
      assert.equal(found.service.name, 'Zc Live');
      assert.equal(found.info.port, 7100);
      assert.deepEqual(txtOf(found), ['v=1']);
      assert.ok(found.info.addresses.some((a) => a.address === '127.0.0.1'));
      await peer.request('update', { name: 'Zc Live', txt: { v: '2', extra: 'x' } });
      const updated = await firstMatch(live.seen, (e) => e.kind === 'updated');
      assert.equal(updated.service, found.service, 'one NetService per instance');
      assert.deepEqual(txtOf(updated), ['extra=x', 'v=2']);
      await peer.request('unregister', { name: 'Zc Live' });
      const removed = await firstMatch(live.seen, (e) => e.kind === 'removed');
      assert.equal(removed.service.name, 'Zc Live');
      const kinds: string[] = [];
      live.seen.subscribe((e) => kinds.push(e.kind));
      assert.deepEqual(kinds, ['found', 'updated', 'removed']);
    } finally {
      live.stop();
    }
  });

  it('a TXT rewritten 50 times a second reaches services$ as a few updates, the last one current', async () => {
    const live = record(NetServiceBrowser.services$('_zburst._tcp'));
    try {
      await peer.request('register', {
        name: 'Zc Burst',
        type: '_zburst._tcp.local.',
        port: 7104,
        txt: { n: 'start' },
      });
      await firstMatch(live.seen, (e) => e.kind === 'found');
      await peer.request('burst', { name: 'Zc Burst', count: 50, gap: 0.02 });
      await firstMatch(live.seen, (e) => e.kind === 'updated' && txtOf(e)[0] === 'n=49');
      const updates: ServiceEvent[] = [];
      live.seen.subscribe((e) => {
        if (e.kind === 'updated') updates.push(e);
      });
      // 50 changes over about a second and a half: at most two reports a second, and no removal.
      assert.ok(updates.length <= 5, `${updates.length} updates`);
      assert.deepEqual(txtOf(updates.at(-1) as ServiceEvent), ['n=49']);
    } finally {
      live.stop();
    }
  });

  it('monitor$ follows one of its services through update_service', async () => {
    await peer.request('register', {
      name: 'Zc Mon',
      type: '_zlive._tcp.local.',
      port: 7101,
      txt: { v: 'a' },
    });
    const infos = record(NetService.parse('Zc Mon._zlive._tcp.local.').monitor$());
    try {
      const first = await firstMatch(infos.seen);
      assert.equal(first.port, 7101);
      assert.equal(String(first.txt.v), 'a');
      await peer.request('update', { name: 'Zc Mon', txt: { v: 'b' } });
      const next = await firstMatch(infos.seen, (i) => String(i.txt.v) === 'b');
      assert.equal(next.port, 7101);
    } finally {
      infos.stop();
    }
  });

  it('its browser sees our setTXTData as an update, never a removal', async () => {
    await peer.request('browse', { type: '_ours._tcp.local.' });
    const service = new NetService('local.', '_ours._tcp', 'Node Live');
    await service.publish({ port, txt: { v: '1' } });
    try {
      const added = await peer.waitForEvent(
        (e) => e.event === 'Added' && e.name.startsWith('Node Live'),
      );
      assert.ok(added);
      service.setTXTData({ v: '2', mode: 'fast' });
      const updated = await peer.waitForEvent(
        (e) => e.event === 'Updated' && (e.txt ?? []).includes('v=2'),
      );
      assert.deepEqual(updated.txt, ['mode=fast', 'v=2']);
      // CF's spelling takes TXT RDATA.
      assert.equal(CFNetServiceSetTXTData(service, createTXTDataWithDictionary({ v: '3' })), true);
      await peer.waitForEvent((e) => e.event === 'Updated' && (e.txt ?? []).includes('v=3'));
      assert.ok(!peer.events.some((e) => e.event === 'Removed'), JSON.stringify(peer.events));
    } finally {
      await service.stop();
    }
  });

  it('finds our subtype, and we find its subtype registration', async () => {
    await peer.request('browse', { type: '_printer._sub._ipp._tcp.local.' });
    const service = new NetService('local.', '_ipp._tcp', 'Node Printer');
    await service.publish({ port, subtypes: ['_printer'] });
    const ours = record(NetServiceBrowser.browse$('_color._sub._ipp._tcp'));
    try {
      await peer.waitForEvent(
        (e) => e.event === 'Added' && e.name === 'Node Printer._ipp._tcp.local.',
      );
      await peer.request('register', {
        name: 'Zc Color',
        type: '_ipp._tcp.local.',
        subtype: '_color',
        port: 7102,
      });
      const found = await firstMatch(ours.seen, (e) => e.kind === 'found');
      assert.equal(found.service.name, 'Zc Color');
      assert.equal(found.service.type, '_ipp._tcp.');
    } finally {
      ours.stop();
      await service.stop();
    }
  });

  it('types$ lists its types, and its ZeroconfServiceTypes lists ours', async () => {
    await peer.request('register', { name: 'Zc Typed', type: '_ztype._udp.local.', port: 7103 });
    const service = new NetService('local.', '_otype._tcp', 'Node Typed');
    await service.publish({ port, subtypes: ['_sub1'] });
    const types = record(NetServiceBrowser.types$());
    try {
      const theirs = await firstMatch(
        types.seen,
        (e: ServiceTypeEvent) => e.type === '_ztype._udp.',
      );
      assert.equal(theirs.domain, 'local.');
      const listed = (await peer.request('types', { timeout: 2 })).types as string[];
      assert.ok(listed.includes('_otype._tcp.local.'), JSON.stringify(listed));
      assert.ok(!listed.some((t) => t.includes('_sub')), JSON.stringify(listed));
    } finally {
      types.stop();
      await service.stop();
    }
  });
});
