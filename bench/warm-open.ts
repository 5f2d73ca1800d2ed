/**
 * Part 6: warm opens (issue 3: "warm (cached) opens within 1.2x of a raw TCP
 * connect"). In one warmed-up process, interleaved round by round, the time
 * from the first call to the first echoed byte for:
 *
 *   raw            net.connect + write + 'data' (the yardstick)
 *   pair, address  a pair to the literal 127.0.0.1
 *   pair, service  a pair to a NetService whose resolution the mDNS cache
 *                  already holds (published by our own responder in this
 *                  process, on loopback inside the private namespace)
 *
 * against the bench server's echo port (a child process).
 */
import type { NetService } from '../src/netservice/index.js';
import { pairFirstEcho, rawFirstEcho } from './first-echo.js';
import { library } from './library.js';
import { median, round } from './stats.js';

export interface WarmOpenRow {
  readonly path: string;
  readonly rounds: number;
  readonly medianMs: number;
  readonly ratioToRaw: number;
}

export interface WarmOpenOptions {
  readonly rounds: number;
  readonly echoPort: number;
  readonly log: (line: string) => void;
}

export async function runWarmOpen(options: WarmOpenOptions): Promise<WarmOpenRow[]> {
  const lib = library();
  const { echoPort, rounds } = options;
  const type = '_warmbench._tcp';
  const published: NetService = new lib.NetService('local.', type, 'Warm Bench', echoPort);
  await published.publish();
  const service = new lib.NetService('local.', type, published.name);
  try {
    // Fills the cache; every open after this one is a warm (cached) open.
    await service.resolveForConnect(new AbortController().signal);
    const paths: Array<[string, () => Promise<number>]> = [
      ['raw net.connect', () => rawFirstEcho('127.0.0.1', echoPort)],
      [
        'pair, address',
        () => pairFirstEcho(() => lib.createPairWithSocketToHost('127.0.0.1', echoPort)),
      ],
      [
        'pair, cached service',
        () => pairFirstEcho(() => lib.createPairWithSocketToNetService(service)),
      ],
    ];
    const times = new Map<string, number[]>(paths.map(([name]) => [name, []]));
    const warmUp = rounds;
    for (let i = 0; i < warmUp + rounds; i++) {
      for (const [name, open] of paths) {
        const ms = await open();
        if (i >= warmUp) times.get(name)?.push(ms);
      }
    }
    const raw = median(times.get('raw net.connect') ?? []);
    const rows = paths.map(([path]) => {
      const ms = median(times.get(path) ?? []);
      return { path, rounds, medianMs: round(ms, 3), ratioToRaw: round(ms / raw, 2) };
    });
    for (const row of rows)
      options.log(`  ${row.path}: ${row.medianMs} ms (${row.ratioToRaw} x raw)`);
    return rows;
  } finally {
    await published.stop();
    lib.resetMdnsEngine();
  }
}
