/**
 * Part 1: throughput through a pair against a raw net.Socket, in the same run.
 * Each API moves `size` bytes per run in each direction; runs are interleaved
 * (raw, CF, Duplex, with the order rotated every repeat) so that load from
 * elsewhere on the machine falls on all three alike.
 */
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import type { ServerPorts } from './server.js';
import { GiB, MiB, median, round, timed } from './stats.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

export type Api = 'raw' | 'cf' | 'duplex';

const CLIENTS: Record<Api, Client> = { raw: rawClient, cf: cfClient, duplex: duplexClient };

/** The result for one API in one direction. */
export interface ThroughputRow {
  readonly direction: Direction;
  readonly api: Api;
  /** Bytes per write() and per CF read() call. */
  readonly block: number;
  readonly bytes: number;
  readonly runsMs: number[];
  readonly medianMs: number;
  /** Decimal GB/s of the median run (for echo: bytes sent one way, each also comes back). */
  readonly gbPerSecond: number;
  /** Throughput relative to raw net.Socket in the same direction (median vs median). */
  readonly ratioToRaw: number;
  /** raw ms / this API's ms per repeat (the APIs of one repeat run back to back): least, greatest. */
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** CPU time (user + system) of the client process per GiB moved, median run. */
  readonly cpuMsPerGiB: number;
  /** Client CPU per GiB relative to raw (above 1: the API costs more CPU than raw). */
  readonly cpuToRaw: number;
}

export interface ThroughputOptions {
  readonly size: number;
  readonly repeats: number;
  readonly directions: readonly Direction[];
  /** Block sizes to run each direction with (bytes per write() and per CF read()). */
  readonly blocks: readonly number[];
  readonly log: (line: string) => void;
}

const APIS: readonly Api[] = ['raw', 'cf', 'duplex'];

export async function runThroughput(
  ports: ServerPorts,
  options: ThroughputOptions,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const block of options.blocks) {
    useBlockSize(block);
    rows.push(...(await runBlock(ports, options, block)));
  }
  return rows;
}

/** Every direction with one block size. */
async function runBlock(
  ports: ServerPorts,
  options: ThroughputOptions,
  block: number,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const direction of options.directions) {
    const port = portFor(ports, direction);
    // Warm-up: let the JIT see every path once before timing.
    for (const api of APIS) await CLIENTS[api][direction](port, Math.min(options.size, 64 * MiB));
    const runs: Record<Api, number[]> = { raw: [], cf: [], duplex: [] };
    const cpu: Record<Api, number[]> = { raw: [], cf: [], duplex: [] };
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (let i = 0; i < APIS.length; i++) {
        const api = APIS[(i + repeat) % APIS.length]!;
        const cpuBefore = process.cpuUsage();
        const { ms, result } = await timed(() => CLIENTS[api][direction](port, options.size));
        const cpuUsed = process.cpuUsage(cpuBefore);
        if (result !== options.size) {
          throw new Error(`${api} ${direction}: moved ${result} bytes, expected ${options.size}`);
        }
        runs[api].push(ms);
        cpu[api].push((cpuUsed.user + cpuUsed.system) / 1000);
        options.log(
          `  ${direction} ${api} ${block / 1024} KiB #${repeat + 1}: ${round(ms, 0)} ms, client CPU ${round(cpu[api].at(-1)!, 0)} ms`,
        );
      }
    }
    const rawMs = median(runs.raw);
    const rawCpu = median(cpu.raw);
    for (const api of APIS) {
      const medianMs = median(runs[api]);
      const cpuMs = median(cpu[api]);
      const ratios = runs[api].map((ms, i) => (runs.raw[i] ?? NaN) / ms);
      rows.push({
        direction,
        api,
        block,
        bytes: options.size,
        runsMs: runs[api].map((ms) => round(ms, 1)),
        medianMs: round(medianMs, 1),
        gbPerSecond: round(options.size / (medianMs / 1000) / 1e9, 3),
        ratioToRaw: round(rawMs / medianMs, 3),
        ratioMin: round(Math.min(...ratios), 2),
        ratioMax: round(Math.max(...ratios), 2),
        cpuMsPerGiB: round(cpuMs / (options.size / GiB), 0),
        cpuToRaw: round(cpuMs / rawCpu, 2),
      });
    }
  }
  return rows;
}
