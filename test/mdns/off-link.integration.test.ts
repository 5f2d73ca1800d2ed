/**
 * RFC 6762 §11 on a private two-host segment (CVE-2017-6519 class): host 1
 * runs our engine (test/netservice/lan-agent.ts) with a published service;
 * host 2 holds on-link addresses (10.77.0.2, fd77::2) and off-link ones
 * (10.99.0.2, fd99::2: subnets host 1 has no address on, though it has
 * routes there so that a reply could be delivered). From an off-link
 * address, queries get nothing back and responses are not cached; the same
 * packets from the on-link address are answered and cached (the controls).
 * test/mdns/raw-peer.ts is host 2's hand-made peer.
 */
import assert from 'node:assert/strict';
import { Agent, agentCommand } from '../netservice/lan-agent-client.js';
import { createSegment, type Segment, type SegmentHost } from '../support/private-segment.js';
import { finished, rawPeer, startRawPeer } from './raw-peer-client.js';

/** Host 2's addresses and host 1's, by family. */
const FAMILIES = {
  4: { onLink: '10.77.0.2', offLink: '10.99.0.2', host1: '10.77.0.1', group: '224.0.0.251' },
  6: { onLink: 'fd77::2', offLink: 'fd99::2', host1: 'fd77::1', group: 'ff02::fb' },
} as const;

describe('mdns off-link sources on a two-host segment (integration, RFC 6762 §11)', function () {
  this.timeout(60_000);
  let segment: Segment | undefined;
  let agent: Agent | undefined;
  let host1: SegmentHost;
  let host2: SegmentHost;

  before(async () => {
    segment = await createSegment(
      [
        { ipv4: true, ipv6: true },
        { ipv4: true, ipv6: true },
      ],
      'ol',
    );
    [host1, host2] = segment.hosts as [SegmentHost, SegmentHost];
    const run = (host: SegmentHost, argv: string[]) => finished(host.spawn(argv));
    await run(host2, ['ip', 'addr', 'add', '10.99.0.2/24', 'dev', 'eth0']);
    await run(host2, ['ip', '-6', 'addr', 'add', 'fd99::2/64', 'dev', 'eth0', 'nodad']);
    await run(host1, ['ip', 'route', 'add', '10.99.0.0/24', 'dev', 'eth0']);
    await run(host1, ['ip', '-6', 'route', 'add', 'fd99::/64', 'dev', 'eth0']);
    agent = new Agent(host1.spawn(agentCommand('host1.local')));
    await agent.ready;
    await agent.request('publish', { name: 'Target' });
    // Let the second announcement (1 s after the first) pass, with room for a slow machine, so
    // that any response counted answers our queries.
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await agent?.stop();
    await segment?.close();
  });

  for (const family of [4, 6] as const) {
    const { onLink, offLink, host1: host1Address, group } = FAMILIES[family];

    describe(`IPv${family}`, () => {
      const queries = (from: string) =>
        rawPeer(host2, 'queries', {
          from,
          // Over IPv6, host 1 multicasts from its link-local address.
          targets: [host1Address, family === 6 ? segment?.hosts[0]?.linkLocal : undefined]
            .filter((a) => a !== undefined)
            .join(','),
          linkAddress: FAMILIES[4].onLink,
          question: '_echo._tcp.local',
          waitMs: 1500,
        });

      it('off-link queries (legacy, QU, QM; multicast and unicast) get nothing back', async () => {
        const off = await queries(offLink);
        assert.deepEqual(off, { legacy: 0, port5353: 0, multicast: 0 });
        // Control: the same queries from the on-link address are answered.
        const on = await queries(onLink);
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
        const [evilM, evilU, goodM, goodU] = ['EvilM', 'EvilU', 'GoodM', 'GoodU'].map(
          (label) => `${label}${family}`,
        ) as [string, string, string, string];
        await send(offLink, group, evilM, 6661);
        await send(offLink, host1Address, evilU, 6662);
        // Controls, sent after: once they are seen, the off-link packets have been handled too.
        await send(onLink, group, goodM, 7771);
        await send(onLink, host1Address, goodU, 7772);
        for (const label of [goodM, goodU]) {
          const browsed = await agent?.request<{ found: string }>('browse', {
            type: '_evil._tcp',
            name: label,
          });
          assert.equal(browsed?.found, `${label}._evil._tcp.local.`);
        }
        const good = await agent?.request<{ port: number; addresses: { address: string }[] }>(
          'resolve',
          { name: `${goodU}._evil._tcp.local.`, timeout: 1000 },
        );
        assert.equal(good?.port, 7772);
        assert.deepEqual(
          good?.addresses.map((a) => a.address),
          [onLink],
        );
        for (const label of [evilM, evilU]) {
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
            linkAddress: FAMILIES[4].onLink,
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
        const off = await resolveWith(offLink, `EvilS${family}`);
        assert.ok((off.answered ?? 0) > 0, 'the off-link peer answered the one-shot query');
        assert.equal(off.port, -72007);
        // Control: the same answer from the on-link address resolves.
        const on = await resolveWith(onLink, `GoodS${family}`);
        assert.ok((on.answered ?? 0) > 0);
        assert.equal(on.port, 7773);
      });
    });
  }
});
