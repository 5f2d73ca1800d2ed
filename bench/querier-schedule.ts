/**
 * The querier's cost with thousands of questions (issue 13, item 3): CPU to
 * ask N PTR questions and send their first rounds, to take in one answer for
 * each (every answer moves its question's refresh times), and to send the
 * refreshes, on the fake clock and network (one process, nothing on the
 * wire; encoding and the fake network's decoding included), and the largest
 * query datagram.
 * Each question's answers are cached with their own lifetime, so refreshes
 * fall at N different times, as under a live browse of many types.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/querier-schedule.ts [N] [rounds]
 */

import { type DnsRecord, Flag, makeMessage, RRType } from '../src/mdns/index.js';
import { fakeEngine } from '../test/mdns/fake-network.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  console.error(
    'usage: node scripts/in-private-network.mjs node --import tsx bench/querier-schedule.ts',
  );
  process.exit(2);
}

const N = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 3);

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

interface Round {
  ask: number;
  sends: number;
  answers: number;
  refreshes: number;
  largest: number;
}

async function round(): Promise<Round> {
  const { engine, net, clock } = await fakeEngine();
  const names = Array.from({ length: N }, (_, i) => `_svc${i}._tcp.local`);
  let start = process.cpuUsage();
  const releases = names.map((name) => engine.querier.ask(name, RRType.PTR));
  const ask = cpuMs(start);
  start = process.cpuUsage();
  // The first three slots: 0, 1 and 3 s (§5.2).
  clock.advance(0);
  clock.advance(1000);
  clock.advance(2000);
  const sends = cpuMs(start);
  let largest = Math.max(...net.take().map((p) => p.size));
  // One answer per type, each with its own TTL (100-149 s), so refreshes spread out.
  start = process.cpuUsage();
  for (const [i, name] of names.entries()) {
    const answer: DnsRecord = {
      name,
      rrclass: 1,
      cacheFlush: false,
      ttl: 100 + (i % 50),
      data: { type: 'PTR', target: `Instance ${i}.${name}` },
    };
    net.inject(makeMessage({ flags: Flag.QR, answers: [answer] }));
  }
  const answers = cpuMs(start);
  start = process.cpuUsage();
  // Through 80-95% of every lifetime: N x 4 refreshes at some 200 different times.
  for (let t = 0; t < 150_000; t += 100) clock.advance(100);
  const refreshes = cpuMs(start);
  largest = Math.max(largest, ...net.take().map((p) => p.size));
  for (const release of releases) release();
  engine.close();
  return { ask, sends, answers, refreshes, largest };
}

for (let r = 0; r < ROUNDS; r++) {
  const { ask, sends, answers, refreshes, largest } = await round();
  console.log(
    `N=${N}: CPU ms: ask ${ask.toFixed(0)}, first 3 rounds ${sends.toFixed(0)}, ` +
      `N answers arriving ${answers.toFixed(0)}, 150 s of refreshes ${refreshes.toFixed(0)}; ` +
      `largest query ${largest} bytes`,
  );
}
