/**
 * Several hosts on one private segment (test/support/private-segment.ts),
 * each running our engine in its own process and network namespace: resolve,
 * browse, publish and connect by name between hosts over IPv6 (ff02::fb,
 * which loopback cannot carry) and IPv4. Host 1 is dual stack, host 2 has
 * IPv6 only, host 3 IPv4 only, so traffic between 1 and 2 can only be IPv6
 * and between 1 and 3 only IPv4. Runs inside `npm run test:integration`.
 */
import assert from 'node:assert/strict';
import { createSegment, type Segment } from '../support/private-segment.js';
import { Agent, agentCommand } from './lan-agent-client.js';

interface Resolved {
  hostName: string;
  port: number;
  addresses: { address: string; family: 4 | 6 }[];
}

describe('Bonjour between hosts of a private segment (integration)', function () {
  this.timeout(30000);
  let segment: Segment | undefined;
  const agents: Agent[] = [];
  const agent = (i: number): Agent => agents[i - 1] as Agent;

  before(async () => {
    segment = await createSegment([
      { ipv4: true, ipv6: true },
      { ipv4: false, ipv6: true },
      { ipv4: true, ipv6: false },
    ]);
    for (const host of segment.hosts) {
      agents.push(new Agent(host.spawn(agentCommand(`host${host.index}.local`))));
    }
    await Promise.all(agents.map((a) => a.ready));
    await agent(1).request('publish', { name: 'Dual Echo' });
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await segment?.close();
  });

  it('IPv6 only: resolves a service on another host, AAAA with the scope id kept', async () => {
    const r = await agent(2).request<Resolved>('resolve', { name: 'Dual Echo._echo._tcp.local.' });
    assert.equal(r.hostName, 'host1.local');
    // Host 1 answers with every address of its eth0 (A too), but only IPv6 carried the answer here.
    assert.ok(r.addresses.some((a) => a.address === 'fd77::1'));
    const linkLocal = segment?.hosts[0]?.linkLocal;
    assert.ok(
      r.addresses.some((a) => a.address === `${linkLocal}%eth0`),
      JSON.stringify(r.addresses),
    );
  });

  it('IPv6 only: browses, resolves the host name, and connects by name', async () => {
    const browsed = await agent(2).request<{ found: string }>('browse', { name: 'Dual Echo' });
    assert.equal(browsed.found, 'Dual Echo._echo._tcp.local.');
    const host = await agent(2).request<Resolved>('host', { name: 'host1.local' });
    assert.ok(host.addresses.some((a) => a.address === 'fd77::1'));
    const echoed = await agent(2).request<{ bytes: number }>('connect', {
      name: 'Dual Echo._echo._tcp.local.',
      text: 'over ipv6',
    });
    assert.equal(echoed.bytes, 9);
    const { peers } = await agent(1).request<{ peers: string[] }>('peers', { name: 'Dual Echo' });
    assert.ok(peers.length > 0 && peers.every((p) => !p.startsWith('::ffff:')), String(peers));
  });

  it('IPv4 only: resolves, browses and connects by name', async () => {
    const r = await agent(3).request<Resolved>('resolve', { name: 'Dual Echo._echo._tcp.local.' });
    assert.equal(r.hostName, 'host1.local');
    assert.ok(r.addresses.some((a) => a.address === '10.77.0.1'));
    // Only eth0's addresses: never a loopback address leaked from another interface (RFC 6762 §6.2).
    assert.ok(!r.addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1'));
    const browsed = await agent(3).request<{ found: string }>('browse', { name: 'Dual Echo' });
    assert.equal(browsed.found, 'Dual Echo._echo._tcp.local.');
    const echoed = await agent(3).request<{ bytes: number }>('connect', {
      name: 'Dual Echo._echo._tcp.local.',
      text: 'over ipv4',
    });
    assert.equal(echoed.bytes, 9);
    const { peers } = await agent(1).request<{ peers: string[] }>('peers', { name: 'Dual Echo' });
    assert.ok(peers.includes('::ffff:10.77.0.3'), String(peers));
  });

  it('publishes from an IPv6-only host; a dual-stack host connects to it by name', async () => {
    const { name } = await agent(2).request<{ name: string }>('publish', { name: 'V6 Echo' });
    const r = await agent(1).request<Resolved>('resolve', { name: `${name}._echo._tcp.local.` });
    assert.equal(r.hostName, 'host2.local');
    assert.ok(
      r.addresses.every((a) => a.family === 6),
      JSON.stringify(r.addresses),
    );
    assert.ok(r.addresses.some((a) => a.address === 'fd77::2'));
    const echoed = await agent(1).request<{ bytes: number }>('connect', {
      name: `${name}._echo._tcp.local.`,
      text: 'back',
    });
    assert.equal(echoed.bytes, 4);
    await agent(2).request('unpublish', { name });
  });

  it('an IPv4-only host cannot reach an IPv6-only one: NetServices Timeout, no crash', async () => {
    await agent(2).request('publish', { name: 'Hidden' });
    await assert.rejects(
      agent(3).request('resolve', { name: 'Hidden._echo._tcp.local.', timeout: 1500 }),
      (e: { code?: unknown; domain?: unknown }) => e.code === -72007 && e.domain === 10,
    );
    await agent(2).request('unpublish', { name: 'Hidden' });
  });
});
