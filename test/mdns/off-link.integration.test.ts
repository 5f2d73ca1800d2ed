/**
 * RFC 6762 §11 on a private two-host segment (CVE-2017-6519 class): host 1
 * runs our engine (test/netservice/lan-agent.ts) with a published service;
 * host 2 holds an on-link address (10.77.0.2) and an off-link one
 * (10.99.0.2, a subnet host 1 has no address on, though it has a route
 * there so that a reply could be delivered). From the off-link address,
 * queries get nothing back and responses are not cached; the same packets
 * from the on-link address are answered and cached (the controls).
 */
import assert from 'node:assert/strict';
import { Agent, agentCommand } from '../netservice/lan-agent-client.js';
import { createSegment, type Segment, type SegmentHost } from '../support/private-segment.js';
import { finished, rawPeer, startRawPeer } from './raw-peer-client.js';

const ON_LINK = '10.77.0.2';
const OFF_LINK = '10.99.0.2';
const HOST1 = '10.77.0.1';

describe('mdns off-link sources on a two-host segment (integration, RFC 6762 §11)', function () {
  this.timeout(60_000);
  let segment: Segment | undefined;
  let agent: Agent | undefined;
  let host1: SegmentHost;
  let host2: SegmentHost;
  let service = '';

  before(async () => {
    segment = await createSegment(
      [
        { ipv4: true, ipv6: false },
        { ipv4: true, ipv6: false },
      ],
      'ol',
    );
    [host1, host2] = segment.hosts as [SegmentHost, SegmentHost];
    await finished(host2.spawn(['ip', 'addr', 'add', `${OFF_LINK}/24`, 'dev', 'eth0']));
    await finished(host1.spawn(['ip', 'route', 'add', '10.99.0.0/24', 'dev', 'eth0']));
    agent = new Agent(host1.spawn(agentCommand('host1.local')));
    await agent.ready;
    ({ name: service } = await agent.request<{ name: string }>('publish', { name: 'Target' }));
    // Let the second announcement (1 s after the first) pass, with room for a slow machine, so
    // that any response counted answers our queries.
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await agent?.stop();
    await segment?.close();
  });

  const queries = (from: string) =>
    rawPeer(host2, 'queries', {
      from,
      target: HOST1,
      linkAddress: ON_LINK,
      question: '_echo._tcp.local',
      waitMs: 1500,
    });

  it('off-link queries (legacy, QU, QM; multicast and unicast) get nothing back', async () => {
    const off = await queries(OFF_LINK);
    assert.deepEqual(off, { legacy: 0, port5353: 0, multicast: 0 }, `answers to ${service}`);
    // Control: the same queries from the on-link address are answered.
    const on = await queries(ON_LINK);
    assert.ok((on.legacy ?? 0) > 0, JSON.stringify(on));
    assert.ok((on.port5353 ?? 0) + (on.multicast ?? 0) > 0, JSON.stringify(on));
  });

  it('off-link responses (multicast, and unicast to 5353) are not cached', async () => {
    const send = (from: string, to: string, label: string, port: number) =>
      rawPeer(host2, 'respond', {
        from,
        to,
        instance: `${label}._evil._tcp.local`,
        host: `${label.toLowerCase()}.local`,
        port,
      });
    await send(OFF_LINK, '224.0.0.251', 'EvilM', 6661);
    await send(OFF_LINK, HOST1, 'EvilU', 6662);
    // Controls, sent after: once they are seen, the off-link packets have been handled too.
    await send(ON_LINK, '224.0.0.251', 'GoodM', 7771);
    await send(ON_LINK, HOST1, 'GoodU', 7772);
    for (const label of ['GoodM', 'GoodU']) {
      const browsed = await agent?.request<{ found: string }>('browse', {
        type: '_evil._tcp',
        name: label,
      });
      assert.equal(browsed?.found, `${label}._evil._tcp.local.`);
    }
    const good = await agent?.request<{ port: number; addresses: { address: string }[] }>(
      'resolve',
      { name: 'GoodU._evil._tcp.local.', timeout: 1000 },
    );
    assert.equal(good?.port, 7772);
    assert.deepEqual(
      good?.addresses.map((a) => a.address),
      [ON_LINK],
    );
    for (const label of ['EvilM', 'EvilU']) {
      // Cached, it would be reported at once; 500 ms more only lets a late packet show.
      await assert.rejects(
        agent?.request('browse', { type: '_evil._tcp', name: label, timeout: 500 }) ??
          Promise.resolve(),
        /Timeout/i,
        `browse$ reported ${label}`,
      );
      await assert.rejects(
        agent?.request('resolve', { name: `${label}._evil._tcp.local.`, timeout: 1000 }) ??
          Promise.resolve(),
        (e: { code?: unknown }) => e.code === -72007,
        `resolve$ returned ${label}`,
      );
    }
  });

  it('an off-link answer to our one-shot query (at its ephemeral port) is not cached', async () => {
    const resolveWith = async (from: string, label: string) => {
      const peer = await startRawPeer(host2, 'answer', {
        from,
        linkAddress: ON_LINK,
        instance: `${label}._evil._tcp.local`,
        host: `${label.toLowerCase()}.local`,
        port: 7773,
        waitMs: 2500,
      });
      const resolved = agent
        ?.request<{ port: number }>('resolve', {
          name: `${label}._evil._tcp.local.`,
          timeout: 1500,
        })
        .then(
          (r) => r.port,
          (e: { code?: unknown }) => e.code,
        );
      return { port: await resolved, answered: (await peer.result).answered };
    };
    const off = await resolveWith(OFF_LINK, 'EvilS');
    assert.ok((off.answered ?? 0) > 0, 'the off-link peer answered the one-shot query');
    assert.equal(off.port, -72007);
    // Control: the same answer from the on-link address resolves.
    const on = await resolveWith(ON_LINK, 'GoodS');
    assert.ok((on.answered ?? 0) > 0);
    assert.equal(on.port, 7773);
  });
});
