/**
 * Responder under load (issue 12): our responder (one published service, in a
 * process of its own) and avahi-daemon (the same service, no D-Bus) each
 * answer the same query load, one at a time on the loopback of the private
 * namespace, in interleaved rounds. The load generator (a process of its own)
 * sends 10,000 queries/s for the service's PTR, SRV, TXT and A records, a
 * third each QM (from 0.0.0.0:5353), QU (from 127.0.0.2:5353, so unicast
 * replies reach it and not the responder) and legacy unicast (an ephemeral
 * port, RFC 6762 §6.7), and counts what comes back: response packets and
 * answer records. CPU (utime+stime) and RSS of both responders come from
 * /proc/<pid>, the same way, sampled every second of the load. CPU is
 * measured after BENCH_RESPONDER_WARM_UP seconds (5) of the same load on
 * every subject, and over that warm-up apart (a fresh Node process compiles
 * its hot path then; avahi-daemon was compiled ahead of time). A third
 * subject, the Node floor, answers the same QU and legacy queries with fixed
 * bytes through node:dgram alone: the least any Node responder pays.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/responder-load.ts [rounds] [seconds] [--source]
 *
 * Our responder runs from the tsc build (bench/library.ts), as it ships; --source runs src
 * through tsx. BENCH_CPU_PROF=<dir> writes --cpu-prof profiles of our responder and the floor there.
 * BENCH_PERF=<prefix> records each subject with Linux perf over the load window (CPU time, the
 * kernel's share and V8's helper threads included; Node subjects run with --perf-basic-prof so
 * that JavaScript frames have names): <prefix>.<subject>.<pid>. BENCH_VERBOSE=1 prints, per round,
 * the counts, system time, RSS and the CPU ticks of the main thread and of the other threads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodePacket, encodePacket, makeMessage, RRType } from '../src/mdns/index.js';
import { buildLibrary, removeBuild } from './library.js';

const SELF = fileURLToPath(import.meta.url);
const TYPE = '_load._tcp.local';
const INSTANCE = `Load Target.${TYPE}`;
const RATE = 10_000;
const TICK_MS = 10;
const CLK_TCK = 100;
const PAGE = 4096;

/** What answers: our responder, avahi-daemon, or the Node floor (dgram alone, fixed replies). */
export type SubjectName = 'ours' | 'avahi' | 'floor';

/** One responder's numbers over one round of load. */
export interface ResponderLoadRow {
  readonly subject: SubjectName;
  readonly round: number;
  readonly seconds: number;
  readonly queries: number;
  readonly responses: number;
  readonly answers: number;
  /** CPU over the measured window (after the warm-up). */
  readonly cpuPercent: number;
  /** CPU over the warm-up: the first seconds of load on a fresh process (V8 still compiling). */
  readonly warmUpCpuPercent: number;
  readonly cpuUsPerAnswer: number;
  readonly cpuUsPerQuery: number;
  readonly rssStartKiB: number;
  readonly rssEndKiB: number;
  /** RSS once a second during the load. */
  readonly rssKiB: readonly number[];
}

// ---- the load generator (mode "load"): sends, counts, prints JSON ----

async function generate(host: string, seconds: number): Promise<void> {
  const names: [string, number][] = [
    [TYPE, RRType.PTR],
    [INSTANCE, RRType.SRV],
    [INSTANCE, RRType.TXT],
    [host, RRType.A],
  ];
  const counts = { queries: 0, responses: 0, answers: 0, multicast: 0, qu: 0, legacy: 0 };
  const counter =
    (kind: 'multicast' | 'qu' | 'legacy') =>
    (bytes: Buffer): void => {
      const { message } = decodePacket(bytes);
      if (message === undefined || (message.flags & 0x8000) === 0) return;
      counts.responses += 1;
      counts[kind] += 1;
      counts.answers += message.answers.length;
    };
  const bind = (type: 'udp4', port: number, address?: string): Promise<dgram.Socket> =>
    new Promise((resolve) => {
      const s = dgram.createSocket({ type, reuseAddr: true });
      s.bind(port, address, () => resolve(s));
    });
  const qm = await bind('udp4', 5353);
  qm.addMembership('224.0.0.251', '127.0.0.1');
  qm.setMulticastInterface('127.0.0.1');
  qm.setMulticastLoopback(true);
  qm.on('message', counter('multicast'));
  const qu = await bind('udp4', 5353, '127.0.0.2');
  qu.setMulticastInterface('127.0.0.1');
  qu.on('message', counter('qu'));
  const legacy = await bind('udp4', 0);
  legacy.setMulticastInterface('127.0.0.1');
  legacy.on('message', counter('legacy'));
  const started = process.hrtime.bigint();
  let id = 1;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      if (elapsed >= seconds) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Catch up to the rate, whatever the timer's lateness.
      while (counts.queries < elapsed * RATE) {
        const n = counts.queries;
        const [name, type] = names[n % names.length] as [string, number];
        const kind = Math.floor(n / names.length) % 3;
        const socket = kind === 0 ? qm : kind === 1 ? qu : legacy;
        id = (id + 1) & 0xffff;
        const query = makeMessage({
          id: kind === 2 ? id : 0,
          questions: [{ name, type, rrclass: 1, unicastResponse: kind === 1 }],
        });
        socket.send(encodePacket(query), 5353, '224.0.0.251');
        counts.queries += 1;
      }
    }, TICK_MS);
  });
  await new Promise((r) => setTimeout(r, 300));
  for (const s of [qm, qu, legacy]) s.close();
  console.log(JSON.stringify(counts));
}

// ---- our responder (mode "ours"): from `from`, a buildLibrary() folder or 'source' ----

async function ours(from: string): Promise<void> {
  const base = from === 'source' ? '../src' : pathToFileURL(from).href;
  const { getMdnsEngine } = (await import(
    `${base}/mdns/engine.js`
  )) as typeof import('../src/mdns/engine.js');
  const { Responder } = (await import(
    `${base}/mdns/responder.js`
  )) as typeof import('../src/mdns/responder.js');
  const responder = new Responder(getMdnsEngine(), 'loadhost.local');
  const { registered } = responder.register({
    name: 'Load Target',
    type: TYPE,
    port: 7100,
    txt: [Buffer.from('path=/load')],
    noRename: true,
  });
  await registered;
  console.log('ready');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  // exit() (not the default kill) so that --cpu-prof writes its profile.
  process.on('SIGTERM', () => process.exit(0));
}

// ours(), in JavaScript for plain node: the build folder is its argument.
const OURS_JS = `
const { pathToFileURL } = await import('node:url');
const base = pathToFileURL(process.argv[1]).href;
const { getMdnsEngine } = await import(base + '/mdns/engine.js');
const { Responder } = await import(base + '/mdns/responder.js');
const responder = new Responder(getMdnsEngine(), 'loadhost.local');
await responder.register({ name: 'Load Target', type: '${TYPE}', port: 7100,
  txt: [Buffer.from('path=/load')], noRename: true }).registered;
console.log('ready');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
`;

// ---- the parent ----

function procStat(pid: number): { cpuTicks: number; sysTicks: number; rssKiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the comm: state is [0], utime [11], stime [12], rss (pages) [21].
  return {
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    sysTicks: Number(fields[12]),
    rssKiB: (Number(fields[21]) * PAGE) / 1024,
  };
}

/** CPU ticks of a process's main thread (its id is the process's) and of its other threads. */
function threadTicks(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number(task) === pid) main += ticks;
    else others += ticks;
  }
  return { main, others };
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not ready:\n${out}`)), 15000);
    const on = (d: Buffer): void => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', () => reject(new Error(`${what} exited:\n${out}`)));
  });
}

interface Subject {
  readonly pid: number;
  readonly name: SubjectName;
  readonly host: string;
  stop(): Promise<void>;
}

// BENCH_CPU_PROF=<dir>: a --cpu-prof profile of our responder and of the floor, to compare;
// BENCH_PERF: names for JIT frames in perf's record.
const cpuProf = (): string[] => [
  ...(process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []),
  ...(process.env.BENCH_PERF ? ['--perf-basic-prof'] : []),
];

async function startOurs(from: string): Promise<Subject> {
  const prof = cpuProf();
  // The build runs in plain node (no tsx loader thread in its CPU and RSS), as users run it.
  const argv =
    from === 'source'
      ? ['--import', 'tsx', SELF, 'ours', from]
      : ['--input-type=module', '-e', OURS_JS, from];
  const child = spawn(process.execPath, [...prof, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  await waitFor(child, /ready/, 'our responder');
  return {
    pid: child.pid as number,
    name: 'ours',
    host: 'loadhost.local',
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// Like test/support/avahi.ts, but the parent needs avahi-daemon's own pid (unshare and sh exec it).
async function startAvahi(): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'cfstream-load-avahi-'));
  const conf = join(dir, 'avahi-daemon.conf');
  const services = join(dir, 'services');
  rmSync(services, { recursive: true, force: true });
  await import('node:fs').then((fs) => fs.mkdirSync(services));
  writeFileSync(
    conf,
    '[server]\nhost-name=avahihost\nuse-ipv4=yes\nuse-ipv6=no\nenable-dbus=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n[wide-area]\nenable-wide-area=no\n[rlimits]\n',
  );
  writeFileSync(
    join(services, 'load.service'),
    `<?xml version="1.0" standalone='no'?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n<service-group><name>Load Target</name><service><type>_load._tcp</type><port>7100</port><txt-record>path=/load</txt-record></service></service-group>\n`,
  );
  const script = `mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && mount --bind "$1" /etc/avahi/services && exec avahi-daemon --no-chroot --no-drop-root --no-rlimits -f "$2"`;
  const child = spawn('unshare', ['--mount', 'sh', '-c', script, 'sh', services, conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitFor(child, /Load Target.*successfully established/, 'avahi-daemon');
  return {
    pid: child.pid as number,
    name: 'avahi',
    host: 'avahihost.local',
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Seconds of load before the measured window. A responder is a long-running process: what it
 * costs under a steady load is what this part compares. The first seconds of a fresh Node
 * process also pay V8 compiling the hot path (on its helper threads, twice: docs/performance.md),
 * which avahi-daemon, compiled ahead of time, does not; they are measured and printed apart.
 */
const WARM_UP_SECONDS = Number(process.env.BENCH_RESPONDER_WARM_UP ?? 5);

async function load(subject: Subject, seconds: number): Promise<Omit<ResponderLoadRow, 'round'>> {
  const generator = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, 'load', subject.host, String(WARM_UP_SECONDS + seconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  generator.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve) => generator.once('exit', () => resolve()));
  // The generator's start (tsx) is not load: the warm-up window opens with its first second.
  await new Promise((r) => setTimeout(r, 1500));
  const rss: number[] = [];
  const rssTimer = setInterval(() => {
    rss.push(Math.round(procStat(subject.pid).rssKiB));
  }, 1000);
  const warmStart = procStat(subject.pid);
  const warmT0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, WARM_UP_SECONDS * 1000));
  const warmEnd = procStat(subject.pid);
  const warmWall = Number(process.hrtime.bigint() - warmT0) / 1e9;
  const perf = process.env.BENCH_PERF
    ? spawn(
        'perf',
        ['record', '-F', '4999', '-g', '-p', String(subject.pid), '-o']
          .concat([`${process.env.BENCH_PERF}.${subject.name}.${subject.pid}`])
          .concat(['--', 'sleep', String(Math.max(1, seconds - 2))]),
        { stdio: 'ignore' },
      )
    : undefined;
  const threads = threadTicks(subject.pid);
  const start = procStat(subject.pid);
  const t0 = process.hrtime.bigint();
  await done;
  clearInterval(rssTimer);
  if (perf !== undefined && perf.exitCode === null)
    await new Promise((resolve) => perf.once('exit', resolve));
  const end = procStat(subject.pid);
  const threadsEnd = threadTicks(subject.pid);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const counts = JSON.parse(out) as { queries: number; responses: number; answers: number };
  if (process.env.BENCH_VERBOSE)
    console.log(
      out.trim(),
      `system ${(end.sysTicks - start.sysTicks) / CLK_TCK} s; ticks main thread ${threadsEnd.main - threads.main}, others ${threadsEnd.others - threads.others}; RSS ${rss}`,
    );
  const cpuSeconds = (end.cpuTicks - start.cpuTicks) / CLK_TCK;
  // The window is the load's last `wall` seconds; scale the counts to it.
  const share = Math.min(1, wall / (WARM_UP_SECONDS + seconds));
  return {
    subject: subject.name,
    seconds: wall,
    queries: counts.queries,
    responses: counts.responses,
    answers: counts.answers,
    cpuPercent: (100 * cpuSeconds) / wall,
    warmUpCpuPercent:
      warmWall > 0 ? (100 * (warmEnd.cpuTicks - warmStart.cpuTicks)) / CLK_TCK / warmWall : 0,
    cpuUsPerAnswer: (cpuSeconds * 1e6) / Math.max(1, counts.answers * share),
    cpuUsPerQuery: (cpuSeconds * 1e6) / Math.max(1, counts.queries * share),
    rssStartKiB: warmStart.rssKiB,
    rssEndKiB: end.rssKiB,
    rssKiB: rss,
  };
}

// The floor: Node's dgram alone, answering every QU and legacy query with a fixed 12-byte reply
// (no decoding, no records): what any Node responder pays before doing anything.
const FLOOR_JS = `
const dgram = await import('node:dgram');
const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
await new Promise((ok) => s.bind(5353, ok));
s.addMembership('224.0.0.251', '127.0.0.1');
const reply = Buffer.alloc(12);
reply.writeUInt16BE(0x8400, 2);
s.on('message', (b, r) => {
  if (b.length < 12 || b[2] & 0x80) return;
  // One question a query: its class's top bit (QU) is the second byte from the end.
  if (r.port === 5353 && (b[b.length - 2] & 0x80) === 0) return;
  const out = Buffer.from(reply);
  out[0] = b[0];
  out[1] = b[1];
  s.send(out, r.port, r.address);
});
console.log('ready');
process.on('SIGTERM', () => process.exit(0));
`;

async function startFloor(): Promise<Subject> {
  const child = spawn(process.execPath, [...cpuProf(), '--input-type=module', '-e', FLOOR_JS], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitFor(child, /ready/, 'the floor');
  return {
    pid: child.pid as number,
    name: 'floor',
    // The floor answers whatever is asked.
    host: 'loadhost.local',
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `rounds` interleaved rounds (the order rotating) of `seconds` of load each. */
export async function runResponderLoad(
  rounds: number,
  seconds: number,
  log: (line: string) => void = console.log,
  from = 'build',
): Promise<ResponderLoadRow[]> {
  const build = from === 'build' ? buildLibrary() : from;
  try {
    return await interleaved(rounds, seconds, log, build);
  } finally {
    if (from === 'build') removeBuild(build);
  }
}

async function interleaved(
  rounds: number,
  seconds: number,
  log: (line: string) => void,
  from: string,
): Promise<ResponderLoadRow[]> {
  const rows: ResponderLoadRow[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Each subject goes first, second and last in turn.
    const all: SubjectName[] = ['ours', 'avahi', 'floor'];
    const order = [...all.slice((round - 1) % 3), ...all.slice(0, (round - 1) % 3)];
    for (const which of order) {
      if (process.env.BENCH_ONLY !== undefined && process.env.BENCH_ONLY !== which) continue;
      const subject =
        which === 'ours'
          ? await startOurs(from)
          : which === 'avahi'
            ? await startAvahi()
            : await startFloor();
      try {
        const row = { round, ...(await load(subject, seconds)) };
        rows.push(row);
        log(
          `round ${round} ${row.subject.padEnd(5)} ${row.cpuPercent.toFixed(1)}% CPU (warm-up ${row.warmUpCpuPercent.toFixed(1)}%), ${row.queries} queries, ${row.responses} responses, ${row.answers} answers, ${row.cpuUsPerAnswer.toFixed(1)} µs/answer, ${row.cpuUsPerQuery.toFixed(1)} µs/query, RSS ${Math.round(row.rssStartKiB)} -> ${Math.round(row.rssEndKiB)} KiB`,
        );
      } finally {
        await subject.stop();
      }
    }
  }
  return rows;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Issue 12's goal: our responder's CPU no more than avahi-daemon's (medians of the rounds). */
export function responderLoadGoal(rows: readonly ResponderLoadRow[]): {
  goal: string;
  measured: string;
  met: boolean;
} {
  const cpu = (s: string) => median(rows.filter((r) => r.subject === s).map((r) => r.cpuPercent));
  const ratios = [...new Set(rows.map((r) => r.round))].flatMap((round) => {
    const o = rows.find((r) => r.round === round && r.subject === 'ours');
    const a = rows.find((r) => r.round === round && r.subject === 'avahi');
    return o && a ? [o.cpuPercent / a.cpuPercent] : [];
  });
  const ratio = cpu('ours') / cpu('avahi');
  const floor = rows.some((r) => r.subject === 'floor')
    ? `; Node floor ${cpu('floor').toFixed(1)}%`
    : '';
  const warmUp = (s: string) =>
    median(rows.filter((r) => r.subject === s).map((r) => r.warmUpCpuPercent));
  return {
    goal: 'responder CPU at 10,000 queries/s <= avahi-daemon',
    measured: `${ratio.toFixed(2)} x (${cpu('ours').toFixed(1)}% vs ${cpu('avahi').toFixed(1)}%; rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)} x${floor}; first ${WARM_UP_SECONDS} s of a fresh process ${(warmUp('ours') / warmUp('avahi')).toFixed(2)} x)`,
    met: ratio <= 1,
  };
}

const mode = process.argv[2];
if (mode === 'load') {
  await generate(process.argv[3] as string, Number(process.argv[4]));
} else if (mode === 'ours') {
  await ours(process.argv[3] as string);
} else if (process.argv[1] === SELF) {
  if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
    console.error(
      'usage: node scripts/in-private-network.mjs node --import tsx bench/responder-load.ts [rounds] [seconds]',
    );
    process.exit(2);
  }
  const numbers = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const rounds = Number(numbers[0] ?? 5);
  const seconds = Number(numbers[1] ?? 10);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows = await runResponderLoad(
    rounds,
    seconds,
    console.log,
    process.argv.includes('--source') ? 'source' : 'build',
  );
  const { goal, measured } = responderLoadGoal(rows);
  console.log(`${goal}: ${measured}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
