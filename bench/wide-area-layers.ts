/**
 * The wide-area resolve of bench/wide-area.ts taken apart, layer by layer,
 * in one process (issue 11), against a BIND 9 of its own on 127.0.0.1, in
 * five runs:
 *
 *   1. the bench's own pair (raw SRV query, `resolveForConnect`) while the
 *      code is as cold as in the bench: 500 rounds after 62 to warm up;
 *   2. every layer, from the exchange up to `resolveForConnect`, and the raw
 *      query, in a random order each round;
 *   3. each layer again in a two-way run of its own with the raw query (the
 *      bench's pairing: in run 2 the raw query comes out slower);
 *   4. the bench's pair again, each resolve split by its socket's marks into
 *      the time before the query's send(), the send() call, the wait for the
 *      reply and the time from the reply to the caller (wide-area-phases.ts);
 *   5. the bench's pair through a relay that holds each reply for `delayMs`
 *      (bench/udp-delay-relay.ts, a process of its own): a server one hop
 *      away, where the kernel has no netem.
 *
 * Every row is a median in µs with its ratio to the raw query's median and
 * the spread of that ratio over five blocks of rounds. As in the bench, the
 * cache is emptied before each clock starts (a new configuration) and each
 * step starts on a settled event loop.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/wide-area-layers.ts [rounds] [delayMs]
 *
 * Not part of `npm run bench`: the layers are internal modules, loaded from
 * the same tsc build as the bench's (bench/library.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startOwnBind } from '../samples/support/own-bind.js';
import { buildLibrary, removeBuild } from './library.js';
import { median } from './stats.js';
import { rawBytes, rawQuery, sendRaw, settle } from './wide-area.js';
import { type Phases, watchSockets } from './wide-area-phases.js';

type Step = () => Promise<number>;

const rounds = Number(process.argv[2] ?? 2000);
const delayMs = Number(process.argv[3] ?? 1);
const warm = 300;
const NAME = 'Bench._bench._tcp.example.test';

/** Runs every step once per round in a fresh random order; the ms of each, `skip` warm-up rounds left out. */
async function shuffled(steps: readonly Step[], count: number, skip = warm): Promise<number[][]> {
  const times = steps.map((): number[] => []);
  for (let r = 0; r < count + skip; r++) {
    const order = steps.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(Math.random() * (i + 1));
      [order[i], order[k]] = [order[k] as number, order[i] as number];
    }
    for (const j of order) {
      await settle();
      const ms = await (steps[j] as Step)();
      if (r >= skip) times[j]?.push(ms);
    }
  }
  return times;
}

/** The ratio of `list`'s median to `raw`'s in each of five blocks of rounds. */
function blockRatios(list: readonly number[], raw: readonly number[]): number[] {
  const block = (of: readonly number[], b: number): number[] =>
    of.slice((b * of.length) / 5, ((b + 1) * of.length) / 5);
  return [0, 1, 2, 3, 4].map((b) => median(block(list, b)) / median(block(raw, b)));
}

const us = (list: readonly number[]): string => (median(list) * 1000).toFixed(1).padStart(7);
const spread = (ratios: readonly number[]): string =>
  `(blocks ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;

/** Prints one row per step: median µs, ratio to the first step's median, spread over five blocks. */
function report(title: string, names: readonly string[], times: readonly number[][]): void {
  console.log(title);
  const raw = times[0] as number[];
  names.forEach((name, j) => {
    const list = times[j] as number[];
    console.log(
      `  ${name.padEnd(44)} ${us(list)} µs  ${(median(list) / median(raw)).toFixed(2)}x  ${spread(blockRatios(list, raw))}`,
    );
  });
}

async function main(): Promise<void> {
  const from = buildLibrary();
  const load = async <T>(file: string): Promise<T> =>
    (await import(pathToFileURL(`${from}/${file}.js`).href)) as T;
  const { configureUnicastDNS } =
    await load<typeof import('../src/unicast/config.js')>('unicast/config');
  const { exchangeWith } =
    await load<typeof import('../src/unicast/exchange.js')>('unicast/exchange');
  const core =
    await load<typeof import('../src/unicast/exchange-core.js')>('unicast/exchange-core');
  const client = await load<typeof import('../src/unicast/dns-client.js')>('unicast/dns-client');
  const { resolveService } =
    await load<typeof import('../src/unicast/resolve-service.js')>('unicast/resolve-service');
  const { NetService } =
    await load<typeof import('../src/netservice/index.js')>('netservice/index');
  const { discoveryFor } =
    await load<typeof import('../src/netservice/discovery.js')>('netservice/discovery');
  const { LazySignal } = await load<typeof import('../src/abort.js')>('abort');

  const bind = await startOwnBind([
    'host IN A 127.0.0.1',
    'Bench._bench._tcp IN SRV 0 0 9 host',
    'Bench._bench._tcp IN TXT "a=1"',
  ]);
  const relay = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./udp-delay-relay.ts', import.meta.url)),
      bind.server.split(':')[1] as string,
      String(delayMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [line] = (await once(relay.stdout, 'data')) as [Buffer];
    const relayPort = Number(line.toString().trim());
    const port = Number(bind.server.split(':')[1]);
    const server = { host: '127.0.0.1', port };
    const timings = { serialPollMs: 600_000 };
    const emptyCache = (via = bind.server): void =>
      configureUnicastDNS({ servers: [via], timings });
    const lazy = new LazySignal();
    const service = new NetService('example.test.', '_bench._tcp', 'Bench');
    let id = 1;
    const timed = async (work: () => Promise<unknown>, before?: () => void): Promise<number> => {
      before?.();
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const deadline = (): number => Date.now() + 5000;
    const names = [
      'raw SRV query (the reference)',
      'exchange (exchangeWith)',
      'queryServers',
      'lookup (shared questions, answer cache)',
      'resolveService',
      'discovery seam',
      'resolveForConnect, a signal made once',
      'resolveForConnect, signal made before the clock',
      'resolveForConnect, new AbortController inside',
    ];
    emptyCache();
    const steps: Step[] = [
      () => rawQuery(port, id++ & 0xffff),
      () => {
        const queryId = core.newMessageId();
        return timed(() =>
          exchangeWith(
            server,
            core.buildQuery(queryId, NAME, 33),
            { id: queryId, opcode: 0, question: { name: NAME, type: 33, rrclass: 1 }, server },
            { signal: lazy, timeoutMs: 2000 },
          ),
        );
      },
      () => timed(() => client.queryServers(NAME, 33, { signal: lazy, deadline: deadline() })),
      () =>
        timed(() => client.lookup(NAME, 33, { signal: lazy, deadline: deadline() }), emptyCache),
      () => timed(() => resolveService(NAME, { signal: lazy, needTxt: false }), emptyCache),
      () =>
        timed(
          () => discoveryFor('example.test.').resolve(NAME, { signal: lazy, needTxt: false }),
          emptyCache,
        ),
      (() => {
        const signal = new AbortController().signal;
        return () => timed(() => service.resolveForConnect(signal), emptyCache);
      })(),
      () => {
        emptyCache();
        const signal = new AbortController().signal;
        return timed(() => service.resolveForConnect(signal));
      },
      () => timed(() => service.resolveForConnect(new AbortController().signal), emptyCache),
    ];
    // First, while the code is as cold as in the bench (its 500 rounds after 62): the bench's pair.
    report(
      "the bench's pair first, as cold as in the bench (500 rounds after 62):",
      ['raw SRV query', 'resolveForConnect, signal made before the clock'],
      await shuffled([steps[0] as Step, steps[7] as Step], 500, 62),
    );
    report(
      `each layer alone against BIND 9 on loopback, ${rounds} rounds after ${warm}, random order:`,
      names,
      await shuffled(steps, rounds),
    );
    // The same layers, each in a run of its own with the raw query alone, as the bench pairs them:
    // in the mixed run above the raw query comes out slower than beside one other step.
    console.log(`each layer in a two-way run with the raw query, ${rounds >> 1} rounds each:`);
    for (let j = 1; j < steps.length; j++) {
      const [raw = [], layer = []] = await shuffled(
        [steps[0] as Step, steps[j] as Step],
        rounds >> 1,
      );
      const extra = ((median(layer) - median(raw)) * 1000).toFixed(1);
      console.log(
        `  ${(names[j] as string).padEnd(44)} ${us(layer)} µs, raw ${us(raw)} µs: +${extra} µs, ${(median(layer) / median(raw)).toFixed(2)}x  ${spread(blockRatios(layer, raw))}`,
      );
    }
    // The bench's pair, warm, each resolve split where its socket says (wide-area-phases.ts).
    const count = rounds >> 1;
    const watch = watchSockets();
    const split: [Phases[], Phases[]] = [[], []];
    try {
      await shuffled(
        [
          async () => {
            const query = rawBytes(id++ & 0xffff);
            const started = performance.now();
            const reply = sendRaw(port, query, started);
            const returned = performance.now();
            const ms = await reply;
            split[0].push(watch.phases(started, returned, started + ms));
            return ms;
          },
          async () => {
            emptyCache();
            const signal = new AbortController().signal;
            const started = performance.now();
            const resolved = service.resolveForConnect(signal);
            const returned = performance.now();
            await resolved;
            const ended = performance.now();
            split[1].push(watch.phases(started, returned, ended));
            return ended - started;
          },
        ],
        count,
      );
    } finally {
      watch.stop();
    }
    console.log(
      `the bench's pair split by the socket's marks, ${count} rounds after ${warm} (µs; the raw query's send() only queues: its lookups put its bind and send in the wait):`,
    );
    for (const [name, list] of [
      ['raw SRV query', split[0].slice(-count)],
      ['resolveForConnect, signal made before the clock', split[1].slice(-count)],
    ] as const) {
      const phase = (i: number): string => us(list.map((p) => p[i] as number)).trim();
      const total = us(list.map((p) => p[0] + p[1] + p[2] + p[3] + p[4])).trim();
      console.log(
        `  ${name.padEnd(48)} before send ${phase(0)}, send() ${phase(1)}, after send ${phase(2)}, wait ${phase(3)}, reply to caller ${phase(4)}; total ${total}`,
      );
    }
    const hop = (): void => emptyCache(`127.0.0.1:${relayPort}`);
    report(
      `through a relay holding each reply ${delayMs} ms (a server one hop away), ${Math.max(200, rounds >> 2)} rounds:`,
      ['raw SRV query', 'resolveForConnect, signal made before the clock'],
      await shuffled(
        [
          () => rawQuery(relayPort, id++ & 0xffff),
          () => {
            hop();
            const signal = new AbortController().signal;
            return timed(() => service.resolveForConnect(signal));
          },
        ],
        Math.max(200, rounds >> 2),
      ),
    );
  } finally {
    relay.kill('SIGTERM');
    await bind.stop();
    removeBuild(from);
  }
}

await main();
