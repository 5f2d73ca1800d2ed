/**
 * Part 7: the CPU cost of a TLS open (issue 13: "a pair's TLS open within
 * 1.1x of tls.connect's CPU"). In one warmed-up process, round by round and
 * in alternating order, N opens each of:
 *
 *   tls.connect   tls.connect({ host, port, ca }) to 'secureConnect', checked
 *                 authorized, then destroyed (the yardstick)
 *   pair          a pair to the literal 127.0.0.1 with kCFStreamSSLTrustedRoots
 *                 set to the same CA (a fresh settings dictionary per pair, as a
 *                 caller writes it), to OpenCompleted, then closed
 *
 * against a tls.Server in a child process (bench/tls-open-peer.ts) presenting
 * a leaf of the test CA (test/support/test-ca.ts). The CPU of an open is
 * process.cpuUsage() (user + system) across it, averaged over the round's N
 * opens of its path; the ratio pair / tls.connect is taken per round, and its
 * median and range over the rounds reported.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { testCA } from '../test/support/test-ca.js';
import { library } from './library.js';
import { median, round } from './stats.js';

/** CPU per open of one path, over the measured rounds. */
export interface TlsOpenRow {
  readonly path: string;
  readonly opensPerRound: number;
  /** Milliseconds of CPU per open: the median round, and the cheapest and dearest rounds. */
  readonly medianCpuMs: number;
  readonly minCpuMs: number;
  readonly maxCpuMs: number;
}

/** The result of the part: both paths and the ratio pair / tls.connect per round. */
export interface TlsOpenResult {
  readonly rounds: number;
  readonly rows: TlsOpenRow[];
  /** pair CPU / tls.connect CPU, one value per round. */
  readonly ratios: number[];
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
}

/** How many rounds and opens per round, and where to log. */
export interface TlsOpenOptions {
  readonly rounds: number;
  readonly opens: number;
  readonly log: (line: string) => void;
}

const OPEN_COMPLETED = 1;
const ERROR_OCCURRED = 8;

function pairOpen(port: number, rootPem: string): Promise<void> {
  const pair = library().createPairWithSocketToHost('127.0.0.1', port);
  pair.readStream.setProperty('kCFStreamPropertySSLSettings', {
    kCFStreamSSLTrustedRoots: rootPem,
  });
  return new Promise((resolve, reject) => {
    pair.readStream.setClient(OPEN_COMPLETED | ERROR_OCCURRED, (stream, type) => {
      pair.close();
      if (type === ERROR_OCCURRED) reject(stream.copyError());
      else resolve();
    });
    pair.open();
  });
}

async function tlsConnectOpen(port: number, rootPem: string): Promise<void> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: rootPem });
  try {
    await once(socket, 'secureConnect');
    if (!socket.authorized) throw new Error(`tls.connect: ${String(socket.authorizationError)}`);
  } finally {
    socket.destroy();
  }
}

/** Milliseconds of CPU (user + system) that one call of `open` took. */
async function cpuOf(open: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await open();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * One round: `count` opens of each path, taken in turns (the order of each turn
 * alternating), so that load from other processes, which drifts over seconds,
 * falls on both paths alike. Returns the mean CPU per open of each path.
 */
async function measureRound(
  paths: ReadonlyArray<readonly [string, () => Promise<void>]>,
  count: number,
): Promise<number[]> {
  const totals = paths.map(() => 0);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < paths.length; k++) {
      const index = i % 2 === 0 ? k : paths.length - 1 - k;
      totals[index]! += await cpuOf(paths[index]![1]);
    }
  }
  return totals.map((total) => total / count);
}

async function startPeer(certFile: string, keyFile: string): Promise<[ChildProcess, number]> {
  const child = fork(
    fileURLToPath(new URL('./tls-open-peer.ts', import.meta.url)),
    [certFile, keyFile],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const [port] = (await once(child, 'message')) as [number];
  return [child, port];
}

/** Runs the part: `rounds` measured rounds after one to warm up. */
export async function runTlsOpen(options: TlsOpenOptions): Promise<TlsOpenResult> {
  const { rounds, opens, log } = options;
  const ca = await testCA();
  const [child, port] = await startPeer(ca.valid.certFile, ca.valid.keyFile);
  try {
    const paths: Array<[string, () => Promise<void>]> = [
      ['tls.connect', () => tlsConnectOpen(port, ca.root.cert)],
      ['pair', () => pairOpen(port, ca.root.cert)],
    ];
    const cpu = new Map<string, number[]>(paths.map(([name]) => [name, []]));
    await measureRound(paths, opens);
    for (let r = 0; r < rounds; r++) {
      const perOpen = await measureRound(paths, opens);
      for (const [i, [name]] of paths.entries()) cpu.get(name)!.push(perOpen[i]!);
      log(
        `  round ${r + 1}: ${paths.map(([name], i) => `${name} ${perOpen[i]!.toFixed(2)} ms`).join(', ')}`,
      );
    }
    const rows = paths.map(([path]) => {
      const ms = cpu.get(path)!;
      return {
        path,
        opensPerRound: opens,
        medianCpuMs: round(median(ms), 3),
        minCpuMs: round(Math.min(...ms), 3),
        maxCpuMs: round(Math.max(...ms), 3),
      };
    });
    const base = cpu.get('tls.connect')!;
    const ratios = cpu.get('pair')!.map((ms, i) => round(ms / base[i]!, 2));
    const ratio = {
      median: round(median(ratios), 2),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
    };
    log(`  pair / tls.connect CPU: ${ratio.median} x (rounds ${ratio.min}-${ratio.max})`);
    return { rounds, rows, ratios, ratio };
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}
