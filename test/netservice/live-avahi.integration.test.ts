/**
 * The live half of Bonjour against avahi (through its D-Bus API), both
 * directions: our services$ and monitor$ see UpdateServiceTxt as an update,
 * avahi-browse sees our setTXTData as a new resolution without a removal,
 * subtypes and the RFC 6763 §9 type enumeration both ways. Run inside a
 * private network namespace: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';
import { type AvahiBus, startAvahiBus } from '../support/avahi-dbus.js';

import { firstMatch, record, txtOf } from './live-events.js';

const FAST = { timings: { probeInitialDelayMax: 20 } };

/** avahi-browse in parsable mode, resolving, until stopped: its lines as they come. */
function avahiBrowse(
  bus: AvahiBus,
  type: string,
): { lines: string[]; wait: (re: RegExp) => Promise<string>; stop: () => Promise<void> } {
  const child: ChildProcess = spawn('avahi-browse', ['-r', '-p', '-k', type], {
    env: bus.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) =>
    lines.push(l),
  );
  return {
    lines,
    async wait(re) {
      const deadline = Date.now() + 8000;
      for (;;) {
        const hit = lines.find((l) => re.test(l));
        if (hit !== undefined) return hit;
        if (Date.now() > deadline)
          throw new Error(`avahi-browse: no ${re}; saw\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('live Bonjour against avahi over D-Bus (integration)', function () {
  this.timeout(40_000);
  let avahi: AvahiBus;
  let server: Server;
  let port: number;
  before(() => {
    if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1')
      throw new Error('run with `node scripts/in-private-network.mjs npx mocha <files>`');
  });
  beforeEach(async () => {
    resetMdnsEngine(FAST);
    avahi = await startAvahiBus();
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    resetMdnsEngine();
    await avahi.stop();
    await new Promise((r) => server.close(r));
  });

  it('services$ sees UpdateServiceTxt as one update, never a removal, then the removal', async () => {
    const live = record(NetServiceBrowser.services$('_avl._tcp'));
    try {
      await avahi.request('publish', {
        name: 'Av Live',
        type: '_avl._tcp',
        port: 7200,
        txt: ['v=1'],
      });
      const found = await firstMatch(live.seen, (e) => e.kind === 'found');
      assert.deepEqual(txtOf(found), ['v=1']);
      assert.equal(found.info.port, 7200);
      assert.equal(found.info.hostName, 'avahibus.local');
      await avahi.request('update', { name: 'Av Live', txt: ['v=2', 'mode=x'] });
      const updated = await firstMatch(live.seen, (e) => e.kind === 'updated');
      assert.deepEqual(txtOf(updated), ['mode=x', 'v=2']);
      await avahi.request('remove', { name: 'Av Live' });
      await firstMatch(live.seen, (e) => e.kind === 'removed');
      const kinds: string[] = [];
      live.seen.subscribe((e) => kinds.push(e.kind));
      assert.deepEqual(kinds, ['found', 'updated', 'removed']);
    } finally {
      live.stop();
    }
  });

  it('monitor$ follows an avahi service through UpdateServiceTxt', async () => {
    await avahi.request('publish', { name: 'Av Mon', type: '_avl._tcp', port: 7201, txt: ['v=a'] });
    const infos = record(NetService.parse('Av Mon._avl._tcp.local.').monitor$());
    try {
      const first = await firstMatch(infos.seen);
      assert.equal(String(first.txt.v), 'a');
      await avahi.request('update', { name: 'Av Mon', txt: ['v=b'] });
      await firstMatch(infos.seen, (i) => String(i.txt.v) === 'b');
    } finally {
      infos.stop();
    }
  });

  it('avahi takes our setTXTData as an update: its cache holds the new TXT, and its browser saw no removal', async () => {
    // avahi-browse resolves each instance once (it frees its resolver), so a second,
    // short-lived browse reads the TXT avahi holds after the announcement.
    const browse = avahiBrowse(avahi, '_ours._tcp');
    const service = new NetService('local.', '_ours._tcp', 'Node Live');
    try {
      await service.publish({ port, txt: { v: '1' } });
      await browse.wait(/^=;.*;Node\\032Live;_ours\._tcp;local;.*"v=1"/);
      service.setTXTData({ v: '2' });
      await new Promise((r) => setTimeout(r, 1500));
      const r = spawnSync('avahi-browse', ['-r', '-p', '-t', '_ours._tcp'], {
        env: avahi.env,
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.match(r.stdout, /^=;.*;Node\\032Live;_ours\._tcp;local;.*"v=2"$/m, r.stdout);
      assert.doesNotMatch(r.stdout, /"v=1"/);
      assert.ok(!browse.lines.some((l) => l.startsWith('-')), browse.lines.join('\n'));
    } finally {
      await browse.stop();
      await service.stop();
    }
  });

  it('finds our subtype, and we find its subtype (AddServiceSubtype)', async () => {
    const service = new NetService('local.', '_avl._tcp', 'Node Printer');
    const ours = record(NetServiceBrowser.browse$('_printer._sub._avl._tcp'));
    try {
      await service.publish({ port, subtypes: ['_color'] });
      const r = spawnSync('avahi-browse', ['-p', '-t', '_color._sub._avl._tcp'], {
        env: avahi.env,
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.match(r.stdout, /^\+;.*;Node\\032Printer;_avl\._tcp;local$/m, r.stdout + r.stderr);
      await avahi.request('publish', {
        name: 'Av Printer',
        type: '_avl._tcp',
        port: 7202,
        subtypes: ['_printer'],
      });
      const found = await firstMatch(ours.seen, (e) => e.kind === 'found');
      assert.equal(found.service.name, 'Av Printer');
      assert.equal(found.service.type, '_avl._tcp.');
    } finally {
      ours.stop();
      await service.stop();
    }
  });

  it("types$ lists avahi's types (never its subtypes as types), and avahi lists ours", async () => {
    await avahi.request('publish', {
      name: 'Av Typed',
      type: '_avtype._udp',
      port: 7203,
      subtypes: ['_s1'],
    });
    const service = new NetService('local.', '_otype._tcp', 'Node Typed');
    const types = record(NetServiceBrowser.types$());
    try {
      await service.publish({ port, subtypes: ['_s2'] });
      await firstMatch(types.seen, (e) => e.type === '_avtype._udp.');
      const r = spawnSync('avahi-browse', ['-a', '-p', '-t'], {
        env: avahi.env,
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.match(r.stdout, /^\+;.*;Node\\032Typed;_otype\._tcp;local$/m, r.stdout + r.stderr);
      const seen: string[] = [];
      types.seen.subscribe((e) => seen.push(e.type));
      assert.ok(!seen.some((t) => t.includes('_sub')), seen.join(' '));
    } finally {
      types.stop();
      await service.stop();
    }
  });
});
