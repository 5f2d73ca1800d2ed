/**
 * mDNS cache flood (issue 13, item 2): the event-loop delay of a process
 * running our engine while another host of a private segment multicasts a
 * one-second burst of 10,000 long-lived records nobody asked for, and the
 * time of a resolve (of a service a third host publishes) during the burst.
 * Two burst shapes: 2 records a packet (5,000 packets) and 50 (200 packets).
 * First, the CPU each received record costs, on the fake network.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/mdns-flood.ts [rounds]
 *
 * Needs root in the private namespace (for the segment).
 */

import {
  type DnsRecord,
  decodePacket,
  encodePacket,
  Flag,
  makeMessage,
} from '../src/mdns/index.js';
import { fakeEngine } from '../test/mdns/fake-network.js';
import { rawPeer, victimCommand } from '../test/mdns/raw-peer-client.js';
import { floodRecord } from '../test/mdns/records.js';
import { Agent, agentCommand } from '../test/netservice/lan-agent-client.js';
import { createSegment, type SegmentHost } from '../test/support/private-segment.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  console.error('usage: node scripts/in-private-network.mjs node --import tsx bench/mdns-flood.ts');
  process.exit(2);
}

const ROUNDS = Number(process.argv[2] ?? 5);

/** CPU per received record on the fake network (one process, decode included). */
async function cpuPerRecord(perPacket: number): Promise<{ decode: number; receive: number }> {
  const { engine, net } = await fakeEngine();
  const records = 20_000;
  const packets: Buffer[] = [];
  for (let p = 0; p < records / perPacket; p++) {
    const answers: DnsRecord[] = [];
    for (let k = 0; k < perPacket; k++) {
      const i = p * perPacket + k;
      answers.push(floodRecord(i));
    }
    packets.push(encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers })));
  }
  const cpu = (run: () => void): number => {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / records;
  };
  // Warm-up, then the measured passes (the cache is full of the first pass by then).
  for (const p of packets.slice(0, 2000)) net.injectBytes(p, { address: '10.0.0.66' });
  const decode = cpu(() => {
    for (const p of packets) decodePacket(p);
  });
  const receive = cpu(() => {
    for (const p of packets) net.injectBytes(p, { address: '10.0.0.66' });
  });
  engine.close();
  return { decode, receive };
}

for (const perPacket of [2, 50]) {
  const { decode, receive } = await cpuPerRecord(perPacket);
  console.log(
    `fake network, ${perPacket} records a packet: ${receive.toFixed(1)} µs CPU per record received (decoding ${decode.toFixed(1)})`,
  );
}
const segment = await createSegment(
  [
    { ipv4: true, ipv6: false },
    { ipv4: true, ipv6: false },
    { ipv4: true, ipv6: false },
  ],
  'bf',
);
const [host1, host2, host3] = segment.hosts as [SegmentHost, SegmentHost, SegmentHost];
const publisher = new Agent(host2.spawn(agentCommand('host2.local')));
let victim: Agent | undefined;
try {
  await publisher.ready;
  // Published before the victim starts, so it has not heard their announcements: each resolve asks.
  const names = new Map<string, string>();
  for (const perPacket of [2, 50])
    for (let round = 0; round < ROUNDS; round++) {
      const { name } = await publisher.request<{ name: string }>('publish', {
        name: `Svc ${perPacket} ${round}`,
      });
      names.set(`${perPacket} ${round}`, name);
    }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  victim = new Agent(host1.spawn(victimCommand('host1.local')));
  await victim.ready;
  const rows: string[] = [];
  for (const perPacket of [2, 50]) {
    for (let round = 0; round < ROUNDS; round++) {
      await victim.request('lagStart');
      const burst = rawPeer(host3, 'flood', {
        from: '10.77.0.3',
        records: 10_000,
        perPacket,
        ms: 1000,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const resolved = await victim.request<{ ms: number }>('resolve', {
        name: `${names.get(`${perPacket} ${round}`)}._echo._tcp.local`,
      });
      await burst;
      const lag = await victim.request<{ p50Ms: number; p99Ms: number; maxMs: number }>('lagStop');
      const cache = await victim.request<{ size: number; bytes: number }>('cache');
      rows.push(
        `| ${perPacket} | ${round + 1} | ${lag.p50Ms} | ${lag.p99Ms} | ${lag.maxMs} | ${resolved.ms.toFixed(1)} | ${cache.size} | ${(cache.bytes / 1024).toFixed(0)} |`,
      );
    }
  }
  console.log(
    '| records/packet | round | lag p50 ms | lag p99 ms | lag max ms | resolve ms | cached records | cache KiB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
} finally {
  await Promise.all([publisher.stop(), victim?.stop()]);
  await segment.close();
}
