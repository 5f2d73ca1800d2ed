/**
 * Part 7: wide-area Bonjour against a BIND 9 of its own on 127.0.0.1
 * (issue 11). Two measurements:
 *
 *   resolve  a NetService in a DNS zone resolved through the library (an empty
 *            cache each round, emptied before the clock starts: one SRV query,
 *            the address from the additional section) against a library-free query of the same records (a
 *            hand-built SRV question on a fresh UDP socket, waiting for the
 *            reply with its ID); interleaved round by round, the ratio of the
 *            medians with its spread over five blocks of rounds;
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

/** What part 7 measured. */
export interface WideAreaResult {
  readonly resolve: {
    readonly rounds: number;
    readonly libraryMedianMs: number;
    readonly rawMedianMs: number;
    readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
  };
  readonly many: {
    readonly services: number;
    readonly browseMs: number;
    readonly browseAndResolveMs: number;
    readonly heldBytes: number;
  };
}

/** A library-free SRV query: bytes built by hand, one datagram, the reply matched by ID. */
function rawQuery(port: number, id: number): Promise<number> {
  const labels = ['Bench', '_bench', '_tcp', 'example', 'test'];
  const name = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const query = Buffer.concat([header, name, Buffer.from([0, 33, 0, 1])]);
  return new Promise((resolve) => {
    const started = performance.now();
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

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Runs part 7. */
export async function runWideArea(options: {
  rounds: number;
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
      const started = performance.now();
      await service.resolveForConnect(new AbortController().signal);
      return performance.now() - started;
    };
    const warm = Math.max(20, options.rounds >> 3);
    for (let i = 0; i < warm; i++) {
      await viaLibrary();
      await rawQuery(port, i);
    }
    const libraryMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      // Interleaved, and the order swapped each round, so drift hits both alike.
      if (i % 2 === 0) {
        libraryMs.push(await viaLibrary());
        rawMs.push(await rawQuery(port, 1000 + i));
      } else {
        rawMs.push(await rawQuery(port, 1000 + i));
        libraryMs.push(await viaLibrary());
      }
    }
    const blocks = 5;
    const size = Math.floor(options.rounds / blocks);
    const blockRatios = Array.from({ length: blocks }, (_, b) => {
      const slice = (list: number[]): number[] => list.slice(b * size, (b + 1) * size);
      return median(slice(libraryMs)) / median(slice(rawMs));
    });
    const resolve = {
      rounds: options.rounds,
      libraryMedianMs: round(median(libraryMs), 3),
      rawMedianMs: round(median(rawMs), 3),
      ratio: {
        median: round(median(libraryMs) / median(rawMs), 2),
        min: round(Math.min(...blockRatios), 2),
        max: round(Math.max(...blockRatios), 2),
      },
    };
    options.log(
      `  resolve: library ${resolve.libraryMedianMs} ms, raw query ${resolve.rawMedianMs} ms: ${resolve.ratio.median}x (blocks ${resolve.ratio.min}-${resolve.ratio.max})`,
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
    return { resolve, many: result };
  } finally {
    await bind.stop();
  }
}
