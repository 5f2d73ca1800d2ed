/**
 * The cache flood on a private three-host segment: host 2 publishes two
 * services with our responder (test/netservice/lan-agent.ts), host 3 sends
 * a one-second burst of 10,000 long-lived records of made-up names
 * (test/mdns/raw-peer.ts), and host 1 (test/mdns/flood-victim.ts) resolves
 * one service during the burst and the other after it. Both resolves
 * succeed and the victim's cache stays within its budget. The event-loop
 * delay during the burst is measured by bench/mdns-flood.ts (a loaded
 * 2-core machine makes any fixed bound on it flaky here).
 */
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../src/mdns/engine-options.js';
import { Agent, agentCommand } from '../netservice/lan-agent-client.js';
import { createSegment, type Segment, type SegmentHost } from '../support/private-segment.js';
import { rawPeer, victimCommand } from './raw-peer-client.js';

describe('mdns cache flood on a three-host segment (integration)', function () {
  this.timeout(60_000);
  let segment: Segment | undefined;
  let flooder: SegmentHost;
  let publisher: Agent;
  let victim: Agent;
  let during: { name: string; port: number };
  let afterwards: { name: string; port: number };

  before(async () => {
    segment = await createSegment(
      [
        { ipv4: true, ipv6: false },
        { ipv4: true, ipv6: false },
        { ipv4: true, ipv6: false },
      ],
      'fl',
    );
    const [host1, host2, host3] = segment.hosts as [SegmentHost, SegmentHost, SegmentHost];
    flooder = host3;
    publisher = new Agent(host2.spawn(agentCommand('host2.local')));
    await publisher.ready;
    during = await publisher.request('publish', { name: 'During' });
    afterwards = await publisher.request('publish', { name: 'After' });
    // The victim starts after the announcements, so its resolves must ask (and be answered).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    victim = new Agent(host1.spawn(victimCommand('host1.local')));
    await victim.ready;
  });
  after(async () => {
    await Promise.all([publisher?.stop(), victim?.stop()]);
    await segment?.close();
  });

  it('a resolve during a 10,000-record burst and one after it both succeed', async () => {
    // 50 records a packet (200 packets): every one reaches the victim's socket.
    const burst = rawPeer(flooder, 'flood', {
      from: '10.77.0.3',
      records: 10_000,
      perPacket: 50,
      ms: 1000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const resolved = await victim.request<{ port: number }>('resolve', {
      name: `${during.name}._echo._tcp.local`,
      timeout: 5000,
    });
    assert.equal(resolved.port, during.port);
    const { packets } = await burst;
    assert.equal(packets, 200);
    const resolvedAfter = await victim.request<{ port: number }>('resolve', {
      name: `${afterwards.name}._echo._tcp.local`,
      timeout: 5000,
    });
    assert.equal(resolvedAfter.port, afterwards.port);
    const cache = await victim.request<{ size: number; bytes: number }>('cache');
    // The flood gets no more than one source's budget for records nobody asked for.
    const bound = DEFAULT_LIMITS.maxUnsolicitedBytesPerSource + 64 * 1024;
    assert.ok(cache.bytes <= bound, JSON.stringify(cache));
  });
});
