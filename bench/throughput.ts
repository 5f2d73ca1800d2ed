/**
 * Part 1: throughput through a pair against a raw net.Socket, in the same run.
 *
 * Paired runs: every CF or Duplex run has a raw run right next to it (same
 * bytes, same blocks, same server), and the row's figure is the median of the
 * per-pair ratios. Load from elsewhere on this 2-core machine comes and goes
 * over seconds; two runs back to back mostly see the same load, so a pair's
 * ratio cancels most of it where medians of separate runs did not (with 5 runs
 * of 1 GiB per API, three runs of one code moved a row by up to 0.41; paired,
 * by up to 0.13: docs/performance.md, "Measuring throughput").
 * Short runs (128 MiB by default) give many pairs for the same bytes.
 *
 * Fairness: raw goes first in half the pairs of each API and second in the
 * other half, and the two APIs take turns leading a round, so neither side
 * always follows the other (one run's garbage may be collected on the next
 * run's clock, which falls on both sides alike). No forced GC between runs:
 * tried, a full gc() before each run tripled the client CPU per GiB of a
 * 128 MiB run (V8's follow-up work lands in the next run) and added 40% to
 * the part's time.
 */
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import type { ServerPorts } from './server.js';
import { GiB, median, round, timed } from './stats.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

export type Api = 'raw' | 'cf' | 'duplex';

const CLIENTS: Record<Api, Client> = { raw: rawClient, cf: cfClient, duplex: duplexClient };

/** The result for one API in one direction. */
export interface ThroughputRow {
  readonly direction: Direction;
  readonly api: Api;
  /** Bytes per write() and per CF read() call. */
  readonly block: number;
  /** Bytes per run. */
  readonly bytes: number;
  /** Pairs (this API's run with a raw run beside it); for raw, its runs in all pairs. */
  readonly pairs: number;
  readonly runsMs: number[];
  readonly medianMs: number;
  /** Decimal GB/s of the median run (for echo: bytes sent one way, each also comes back). */
  readonly gbPerSecond: number;
  /** Median over the pairs of raw ms / this API's ms (1 for raw). */
  readonly ratioToRaw: number;
  /** Least and greatest pair ratio. */
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** Distribution-free 95% confidence interval of the median pair ratio (order statistics). */
  readonly ratioLow: number;
  readonly ratioHigh: number;
  /** CPU time (user + system) of the client process per GiB moved, median run. */
  readonly cpuMsPerGiB: number;
  /** Median over the pairs of this API's client CPU / raw's (above 1: costs more CPU than raw). */
  readonly cpuToRaw: number;
  readonly cpuRatioMin: number;
  readonly cpuRatioMax: number;
}

export interface ThroughputOptions {
  /** Bytes per run (the server's source must send exactly this many). */
  readonly size: number;
  /** Rounds per direction and block; each round runs one pair per API. */
  readonly repeats: number;
  readonly directions: readonly Direction[];
  /** Block sizes to run each direction with (bytes per write() and per CF read()). */
  readonly blocks: readonly number[];
  readonly log: (line: string) => void;
}

const APIS: readonly Exclude<Api, 'raw'>[] = ['cf', 'duplex'];

export async function runThroughput(
  ports: ServerPorts,
  options: ThroughputOptions,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const block of options.blocks) {
    useBlockSize(block);
    for (const direction of options.directions) {
      rows.push(...(await runDirection(ports, options, block, direction)));
    }
  }
  return rows;
}

interface Run {
  readonly ms: number;
  /** Client CPU ms (user + system). */
  readonly cpu: number;
}

/**
 * Which API leads round `round` and whether raw goes first in its pair: over
 * any four rounds every API has raw first twice and second twice, and leads
 * the round twice.
 */
export function roundOrder(round: number): { api: Exclude<Api, 'raw'>; rawFirst: boolean }[] {
  return [0, 1].map((k) => ({
    api: APIS[(round + k) % 2]!,
    rawFirst: ((round >> 1) + k) % 2 === 0,
  }));
}

/**
 * The distribution-free confidence interval of a median: the k-th smallest and
 * k-th largest of n values, k the largest with P(Binomial(n, 1/2) < k) <= 2.5%.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let k = 0;
  let below = 0; // P(B < k+1) as k grows
  let term = 0.5 ** n; // P(B = 0)
  for (let j = 0; j < n; j++) {
    below += term;
    if (below > 0.025) break;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  if (k === 0) return [sorted[0]!, sorted[n - 1]!];
  return [sorted[k - 1]!, sorted[n - k]!];
}

async function runDirection(
  ports: ServerPorts,
  options: ThroughputOptions,
  block: number,
  direction: Direction,
): Promise<ThroughputRow[]> {
  const port = portFor(ports, direction);
  const run = async (api: Api): Promise<Run> => {
    const before = process.cpuUsage();
    const { ms, result } = await timed(() => CLIENTS[api][direction](port, options.size));
    const used = process.cpuUsage(before);
    if (result !== options.size) {
      throw new Error(`${api} ${direction}: moved ${result} bytes, expected ${options.size}`);
    }
    return { ms, cpu: (used.user + used.system) / 1000 };
  };
  // Warm-up: let the JIT see every path once before timing.
  for (const api of ['raw', ...APIS] as const) await run(api);
  const raw: Run[] = [];
  const pairs: Record<Exclude<Api, 'raw'>, { raw: Run; api: Run }[]> = { cf: [], duplex: [] };
  for (let r = 0; r < options.repeats; r++) {
    for (const { api, rawFirst } of roundOrder(r)) {
      const first = await run(rawFirst ? 'raw' : api);
      const second = await run(rawFirst ? api : 'raw');
      const pair = rawFirst ? { raw: first, api: second } : { raw: second, api: first };
      pairs[api].push(pair);
      raw.push(pair.raw);
      options.log(
        `  ${direction} ${block / 1024} KiB #${r + 1} ${api}: ${round(pair.api.ms, 0)} ms against raw ${round(pair.raw.ms, 0)} (${rawFirst ? 'raw first' : 'raw second'}), client CPU ${round(pair.api.cpu, 0)} / ${round(pair.raw.cpu, 0)} ms`,
      );
    }
  }
  const gib = options.size / GiB;
  const row = (
    api: Api,
    runs: readonly Run[],
    ratios: readonly number[],
    cpuRatios: readonly number[],
  ): ThroughputRow => {
    const medianMs = median(runs.map((x) => x.ms));
    const [low, high] = medianInterval(ratios);
    return {
      direction,
      api,
      block,
      bytes: options.size,
      pairs: runs.length,
      runsMs: runs.map((x) => round(x.ms, 1)),
      medianMs: round(medianMs, 1),
      gbPerSecond: round(options.size / (medianMs / 1000) / 1e9, 3),
      ratioToRaw: round(median(ratios), 3),
      ratioMin: round(Math.min(...ratios), 2),
      ratioMax: round(Math.max(...ratios), 2),
      ratioLow: round(low, 3),
      ratioHigh: round(high, 3),
      cpuMsPerGiB: round(median(runs.map((x) => x.cpu)) / gib, 0),
      cpuToRaw: round(median(cpuRatios), 2),
      cpuRatioMin: round(Math.min(...cpuRatios), 2),
      cpuRatioMax: round(Math.max(...cpuRatios), 2),
    };
  };
  const ones = raw.map(() => 1);
  return [
    row('raw', raw, ones, ones),
    ...APIS.map((api) =>
      row(
        api,
        pairs[api].map((p) => p.api),
        pairs[api].map((p) => p.raw.ms / p.api.ms),
        pairs[api].map((p) => p.api.cpu / p.raw.cpu),
      ),
    ),
  ];
}
