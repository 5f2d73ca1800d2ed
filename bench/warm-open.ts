/**
 * Part `open`: warm opens and 1,000 concurrent opens (issue 3; issue 12 asks
 * for 1.1x and 1.2x). In one warmed-up process (2,000 opens of each path
 * first), against the bench server's echo port (a child process), the time
 * from the first call to the first echoed byte for:
 *
 *   raw            net.connect + write + 'data' (the yardstick)
 *   pair, address  a pair to the literal 127.0.0.1
 *   pair, service  a pair to a NetService whose resolution the mDNS cache
 *                  already holds (published by our own responder in this
 *                  process, on loopback inside the private namespace)
 *
 * taken in turns (every order of the three, one after another), in rounds;
 * each round's median gives a ratio to raw, and the rows report the median
 * and range of those ratios. Then, per round,
 * 1,000 concurrent pairs to the cached service until all have echoed, against
 * 1,000 concurrent raw connects, the order alternating.
 */
import type { NetService } from '../src/netservice/index.js';
import { pairFirstEcho, rawFirstEcho } from './first-echo.js';
import { library } from './library.js';
import { median, round } from './stats.js';

export interface WarmOpenRow {
  readonly path: string;
  /** Rounds, and opens of this path per round. */
  readonly rounds: number;
  readonly opensPerRound: number;
  /** Median over rounds of the round's median (ms; for a crowd, ms until all echoed). */
  readonly medianMs: number;
  /** This path / raw, per round: median, least and greatest. */
  readonly ratioToRaw: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
}

export interface WarmOpenOptions {
  readonly rounds: number;
  readonly opensPerRound: number;
  /** Concurrent opens per crowd (0: no crowd rows). */
  readonly crowd: number;
  readonly echoPort: number;
  readonly log: (line: string) => void;
}

type Path = readonly [string, () => Promise<number>];

/** Rows from per-round times: `times[path][round]`, the first path being raw. */
function rowsOf(
  times: ReadonlyMap<string, number[]>,
  rounds: number,
  opensPerRound: number,
): WarmOpenRow[] {
  const raw = [...times.values()][0] ?? [];
  return [...times].map(([path, perRound]) => {
    const ratios = perRound.map((ms, i) => ms / (raw[i] ?? NaN));
    return {
      path,
      rounds,
      opensPerRound,
      medianMs: round(median(perRound), 3),
      ratioToRaw: round(median(ratios), 2),
      ratioMin: round(Math.min(...ratios), 2),
      ratioMax: round(Math.max(...ratios), 2),
    };
  });
}

/**
 * Opens of each path before the measured rounds. A warm open is the steady state of a process
 * that opens many: V8 had optimized none of the service path's own functions after 800 opens
 * and all of them after 4,500 (`node --trace-opt`, docs/performance.md); Node's net code on
 * the raw path gets the same warm-up.
 */
const WARM_UP_OPENS = Number(process.env.BENCH_WARM_UP_OPENS ?? 2000);

/**
 * Warm opens in turns, `opensPerRound` of each path per round, after WARM_UP_OPENS of each. Each
 * turn takes the next of every order of the paths: an open measures 0.07-0.12x slower right
 * after a raw connect than after a pair's open (docs/performance.md), so a fixed order would
 * charge that to whichever path always follows raw.
 */
async function warmRounds(
  paths: readonly Path[],
  rounds: number,
  opensPerRound: number,
): Promise<Map<string, number[]>> {
  const orders = permutations(paths);
  for (let i = 0; i < WARM_UP_OPENS; i++) {
    for (const [, open] of orders[i % orders.length] ?? paths) await open();
  }
  const times = new Map<string, number[]>(paths.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    const round = new Map<string, number[]>(paths.map(([name]) => [name, []]));
    for (let i = 0; i < opensPerRound; i++) {
      for (const [name, open] of orders[(r * opensPerRound + i) % orders.length] ?? paths) {
        round.get(name)?.push(await open());
      }
    }
    for (const [name, ms] of round) times.get(name)?.push(median(ms));
  }
  return times;
}

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** `count` concurrent opens through `open`; resolves with ms until every one has echoed. */
async function crowdMs(open: () => Promise<number>, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, open));
  return performance.now() - started;
}

export async function runWarmOpen(options: WarmOpenOptions): Promise<WarmOpenRow[]> {
  const lib = library();
  const { echoPort, rounds, opensPerRound, crowd } = options;
  const type = '_warmbench._tcp';
  const published: NetService = new lib.NetService('local.', type, 'Warm Bench', echoPort);
  await published.publish();
  const service = new lib.NetService('local.', type, published.name);
  try {
    // Fills the cache; every open after this one is a warm (cached) open.
    await service.resolveForConnect(new AbortController().signal);
    const raw = (): Promise<number> => rawFirstEcho('127.0.0.1', echoPort);
    const toService = (): Promise<number> =>
      pairFirstEcho(() => lib.createPairWithSocketToNetService(service));
    const paths: Path[] = [
      ['raw net.connect', raw],
      [
        'pair, address',
        () => pairFirstEcho(() => lib.createPairWithSocketToHost('127.0.0.1', echoPort)),
      ],
      ['pair, cached service', toService],
    ];
    const rows = rowsOf(await warmRounds(paths, rounds, opensPerRound), rounds, opensPerRound);
    if (crowd > 0) {
      const times = new Map<string, number[]>([
        [`${crowd} raw connects`, []],
        [`${crowd} pairs, cached service`, []],
      ]);
      await crowdMs(raw, crowd);
      await crowdMs(toService, crowd);
      for (let r = 0; r < rounds; r++) {
        const rawFirst = r % 2 === 0;
        const a = await crowdMs(rawFirst ? raw : toService, crowd);
        const b = await crowdMs(rawFirst ? toService : raw, crowd);
        times.get(`${crowd} raw connects`)?.push(rawFirst ? a : b);
        times.get(`${crowd} pairs, cached service`)?.push(rawFirst ? b : a);
      }
      rows.push(...rowsOf(times, rounds, crowd));
    }
    for (const row of rows)
      options.log(
        `  ${row.path}: ${row.medianMs} ms, ${row.ratioToRaw} x raw (rounds ${row.ratioMin}-${row.ratioMax})`,
      );
    return rows;
  } finally {
    await published.stop();
    lib.resetMdnsEngine();
  }
}
