/**
 * Part 7: wide-area Bonjour against a BIND 9 of its own on 127.0.0.1
 * (issue 11). Two measurements:
 *
 *   resolve  a NetService in a DNS zone resolved through the library (an empty
 *            cache each round, emptied before the clock starts: one SRV query,
 *            the address from the additional section) against a library-free query of the same records (a
 *            hand-built SRV question on a fresh UDP socket, waiting for the
 *            reply with its ID); interleaved round by round, the ratio of the
 *            medians with its spread over five blocks of rounds. Both ask one
 *            question; the library also reads and checks the whole reply
 *            (source, ID, question, every record) and caches it. Measured
 *            twice in one run: "cold" right after a short warm-up (the
 *            figure this bench has always given: V8 still runs much of the
 *            library's code in its lower tiers), then "steady" after a long
 *            warm-up of both sides alike (`BENCH_WIDE_AREA_WARM`, default
 *            2,000 rounds), when V8 has optimised it, as in a process that
 *            resolves all day; the warm-up's ratio per block of 500 rounds
 *            is logged, to show where it levels off;
 *   resolve$ the same with TXT (`resolve$`: SRV and TXT asked in parallel)
 *            against two library-free queries, SRV and TXT, sent in parallel;
 *   many     browse plus resolve (SRV, TXT, address) of 1,000 services in the
 *            zone: the time until all are resolved, and the heap and external
 *            memory held while the browse and the 1,000 resolutions are alive.
 */
import { createSocket } from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { startOwnBind } from '../samples/support/own-bind.js';
import { library } from './library.js';
import { median, round } from './stats.js';

/** A library timing against a library-free one, interleaved. */
export interface Comparison {
  readonly rounds: number;
  readonly libraryMedianMs: number;
  readonly rawMedianMs: number;
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
}

/** What part 7 measured. */
export interface WideAreaResult {
  /** Cold: after a warm-up of an eighth of the rounds (at least 20), as this bench always measured. */
  readonly resolve: Comparison;
  /** Steady: the same pair again after `warmRounds` more rounds of both sides. */
  readonly resolveSteady: Comparison & {
    readonly warmRounds: number;
    /** The ratio of the medians in each block of 500 warm-up rounds (cold to warm). */
    readonly warmRatios: readonly number[];
  };
  /** resolve$ (SRV and TXT) against raw SRV and TXT queries in parallel. */
  readonly resolveWithTxt?: Comparison;
  readonly many: {
    readonly services: number;
    readonly browseMs: number;
    readonly browseAndResolveMs: number;
    readonly heldBytes: number;
  };
}

/** The bytes of a library-free query for the bench instance (SRV unless `type` says otherwise), built by hand. */
export function rawBytes(id: number, type = 33): Buffer {
  const labels = ['Bench', '_bench', '_tcp', 'example', 'test'];
  const name = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, name, Buffer.from([0, type, 0, 1])]);
}

/** One datagram from a fresh socket: the ms from `started` to the reply with its ID (read in the handler, no promise hop). */
export function sendRaw(port: number, query: Buffer, started: number): Promise<number> {
  const id = query.readUInt16BE(0);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) !== id) return;
      const ms = performance.now() - started;
      socket.close();
      resolve(ms);
    });
    socket.send(query, port, '127.0.0.1');
  });
}

/** A library-free SRV query (the bytes built before the clock starts): its round trip in ms. */
export function rawQuery(port: number, id: number): Promise<number> {
  const query = rawBytes(id);
  return sendRaw(port, query, performance.now());
}

/** The ratio of the medians, with its spread over five blocks of rounds. */
export function compare(libraryMs: number[], rawMs: number[]): Comparison {
  const blocks = 5;
  const size = Math.floor(libraryMs.length / blocks);
  const blockRatios = Array.from({ length: blocks }, (_, b) => {
    const slice = (list: number[]): number[] => list.slice(b * size, (b + 1) * size);
    return median(slice(libraryMs)) / median(slice(rawMs));
  });
  return {
    rounds: libraryMs.length,
    libraryMedianMs: round(median(libraryMs), 3),
    rawMedianMs: round(median(rawMs), 3),
    ratio: {
      median: round(median(libraryMs) / median(rawMs), 2),
      min: round(Math.min(...blockRatios), 2),
      max: round(Math.max(...blockRatios), 2),
    },
  };
}

/**
 * One turn of the event loop. Both sides stop their clocks before closing
 * their sockets (the raw one closes right after, the library on the next
 * turn, once the caller has its answer); the close, and its callback a turn
 * later, must not be timed in whichever side runs next.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `a` and `b` alternately `rounds` times, the order swapped each round so drift hits both alike. */
async function interleave(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<Comparison> {
  const [aMs, bMs] = await interleaved(rounds, a, b);
  return compare(aMs, bMs);
}

/** The times of `a` and `b`, run alternately `rounds` times, the order swapped each round. */
async function interleaved(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number[], number[]]> {
  const aMs: number[] = [];
  const bMs: number[] = [];
  const timed = async (step: () => Promise<number>, into: number[]): Promise<void> => {
    await settle();
    into.push(await step());
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await timed(a, aMs);
      await timed(b, bMs);
    } else {
      await timed(b, bMs);
      await timed(a, aMs);
    }
  }
  return [aMs, bMs];
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Runs part 7. */
export async function runWideArea(options: {
  rounds: number;
  /** Rounds of both sides between the cold figure and the steady one. */
  warmRounds: number;
  services: number;
  log: (line: string) => void;
}): Promise<WideAreaResult> {
  const lib = library();
  const many = Array.from({ length: options.services }, (_, i) => `Service\\032${i}._many._tcp`);
  const bind = await startOwnBind([
    'host IN A 127.0.0.1',
    'Bench._bench._tcp IN SRV 0 0 9 host',
    'Bench._bench._tcp IN TXT "a=1"',
    ...many.flatMap((s, i) => [
      `_many._tcp IN PTR ${s}`,
      `${s} IN SRV 0 0 ${10000 + i} host`,
      `${s} IN TXT "n=${i}"`,
    ]),
  ]);
  const port = Number(bind.server.split(':')[1]);
  try {
    const timings = { serialPollMs: 600_000 };
    // One NetService, as an app keeps one; each round starts from an empty cache.
    const service = new lib.NetService('example.test.', '_bench._tcp', 'Bench');
    const viaLibrary = async (): Promise<number> => {
      lib.configureUnicastDNS({ servers: [bind.server], timings });
      // The caller's signal is the caller's: built before the clock starts, as the raw side's
      // query bytes are (a pair's open has its signal before it resolves). Creating an
      // AbortSignal costs Node 20 several µs; bench/wide-area-layers.ts times it inside too.
      const signal = new AbortController().signal;
      const started = performance.now();
      await service.resolveForConnect(signal);
      return performance.now() - started;
    };
    const warm = Math.max(20, options.rounds >> 3);
    for (let i = 0; i < warm; i++) {
      await viaLibrary();
      await settle();
      await rawQuery(port, i);
      await settle();
    }
    let id = 1000;
    const resolve = await interleave(options.rounds, viaLibrary, () =>
      rawQuery(port, id++ & 0xffff),
    );
    options.log(
      `  resolve, cold (after ${warm} rounds): library ${resolve.libraryMedianMs} ms, raw query ${resolve.rawMedianMs} ms: ${resolve.ratio.median}x (blocks ${resolve.ratio.min}-${resolve.ratio.max})`,
    );
    // Both sides alike through a long warm-up: V8 optimises a function after some hundreds of
    // calls, and the library runs a few dozen of them per resolve, some only once.
    const [warmLib, warmRaw] = await interleaved(options.warmRounds, viaLibrary, () =>
      rawQuery(port, id++ & 0xffff),
    );
    const warmRatios: number[] = [];
    for (let at = 0; at + 500 <= warmLib.length; at += 500)
      warmRatios.push(
        round(median(warmLib.slice(at, at + 500)) / median(warmRaw.slice(at, at + 500)), 2),
      );
    const steady = await interleave(options.rounds, viaLibrary, () =>
      rawQuery(port, id++ & 0xffff),
    );
    const resolveSteady = { ...steady, warmRounds: options.warmRounds, warmRatios };
    options.log(
      `  resolve, steady (after ${warm + options.rounds + options.warmRounds} rounds): library ${steady.libraryMedianMs} ms, raw query ${steady.rawMedianMs} ms: ${steady.ratio.median}x (blocks ${steady.ratio.min}-${steady.ratio.max}); the warm-up by 500 rounds: ${warmRatios.join(', ')}`,
    );
    // resolve$ asks for TXT too: its reference sends the same two questions at once.
    const withTxt = async (): Promise<number> => {
      lib.configureUnicastDNS({ servers: [bind.server], timings });
      const started = performance.now();
      await firstValueFrom(service.resolve$());
      return performance.now() - started;
    };
    const rawPair = async (): Promise<number> => {
      const srv = rawBytes(id++ & 0xffff, 33);
      const txt = rawBytes(id++ & 0xffff, 16);
      const started = performance.now();
      // Done when the later of the two replies is in.
      return Math.max(
        ...(await Promise.all([sendRaw(port, srv, started), sendRaw(port, txt, started)])),
      );
    };
    for (let i = 0; i < warm; i++) {
      await withTxt();
      await rawPair();
    }
    const resolveWithTxt = await interleave(options.rounds, withTxt, rawPair);
    options.log(
      `  resolve$ with TXT: library ${resolveWithTxt.libraryMedianMs} ms, raw SRV + TXT in parallel ${resolveWithTxt.rawMedianMs} ms: ${resolveWithTxt.ratio.median}x (blocks ${resolveWithTxt.ratio.min}-${resolveWithTxt.ratio.max})`,
    );

    lib.configureUnicastDNS({ servers: [bind.server], timings });
    gc();
    const before = process.memoryUsage();
    const started = performance.now();
    const found: string[] = [];
    const browse = lib.NetServiceBrowser.browse$('_many._tcp', 'example.test.');
    const events = await firstValueFrom(
      browse.pipe(
        filter((e) => e.kind === 'found'),
        take(options.services),
        toArray(),
      ),
    );
    const browseMs = performance.now() - started;
    // The browse stays subscribed while the services are resolved, as an app's would.
    const subscription = browse.subscribe();
    const resolutions: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < events.length) {
        const event = events[next++];
        if (event === undefined) break;
        found.push(event.service.name);
        resolutions.push(await firstValueFrom(event.service.resolve$()));
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const browseAndResolveMs = performance.now() - started;
    gc();
    const after = process.memoryUsage();
    subscription.unsubscribe();
    const heldBytes = after.heapUsed + after.external - (before.heapUsed + before.external);
    const result = {
      services: resolutions.length,
      browseMs: round(browseMs, 1),
      browseAndResolveMs: round(browseAndResolveMs, 1),
      heldBytes,
    };
    options.log(
      `  ${result.services} services: browse ${result.browseMs} ms, browse + resolve ${result.browseAndResolveMs} ms, ${(heldBytes / 1024).toFixed(0)} KiB held (heap + external)`,
    );
    return { resolve, resolveSteady, resolveWithTxt, many: result };
  } finally {
    await bind.stop();
  }
}
