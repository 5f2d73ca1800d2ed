/**
 * Part 2: how many events per second the RunLoop dispatches.
 *
 *   post burst     N small tasks posted at once, then drained.
 *   post chain     each task posts the next (how re-armed events flow).
 *   stream events  HasBytesAvailable through a real ReadStream's event path
 *                  (signal → pending queue → RunLoop.main → client callback
 *                  → read()), one stream, each callback's read() re-arming
 *                  the next event. Bytes are injected with the internal
 *                  acceptData() (what the socket's 'data' handler calls), so
 *                  the number is the event path, not TCP.
 *   stream events ×100  the same on 100 pairs at once, interleaved on RunLoop.main.
 *   observeOn      RxJS `range(0, n).pipe(observeOn(runLoop))`, beside the same with
 *                  RxJS's asapScheduler (informational; n is capped at 10 000 because
 *                  RxJS's per-value subscriptions make this path superlinear in n
 *                  whatever the scheduler).
 */
import { asapScheduler, observeOn, range, type SchedulerLike } from 'rxjs';
import { StreamEvent } from '../src/constants.js';
import type { StreamPair } from '../src/stream/stream-pair.js';
import { library } from './library.js';
import { median, round, timed } from './stats.js';

export interface DispatchRow {
  readonly path: string;
  readonly events: number;
  readonly runsPerSecond: number[];
  readonly medianPerSecond: number;
}

export interface DispatchOptions {
  readonly events: number;
  readonly repeats: number;
  readonly idlePort: number;
  readonly log: (line: string) => void;
}

async function postBurst(n: number): Promise<number> {
  const loop = new (library().RunLoop)();
  let count = 0;
  const task = (): void => {
    count++;
  };
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve) => {
        for (let i = 0; i < n; i++) loop.post(task);
        loop.post(resolve);
      }),
  );
  if (count !== n) throw new Error(`post burst ran ${count} of ${n}`);
  return n / (ms / 1000);
}

async function postChain(n: number): Promise<number> {
  const loop = new (library().RunLoop)();
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve) => {
        let count = 0;
        const task = (): void => {
          if (++count < n) loop.post(task);
          else resolve();
        };
        loop.post(task);
      }),
  );
  return n / (ms / 1000);
}

async function openPair(port: number): Promise<StreamPair> {
  const pair = library().createPairWithSocketToHost('127.0.0.1', port);
  await new Promise<void>((resolve, reject) => {
    pair.readStream.setClient(31, (stream, type) => {
      if (type === StreamEvent.OpenCompleted) resolve();
      else if (type === StreamEvent.ErrorOccurred) reject(stream.copyError());
    });
    pair.open();
  });
  return pair;
}

/** `perPair` HasBytesAvailable events on each of `pairs`, each one's read() re-arming the next. */
async function streamEvents(pairs: readonly StreamPair[], perPair: number): Promise<number> {
  const byte = Buffer.from([1]);
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve) => {
        let running = pairs.length;
        for (const pair of pairs) {
          const buffer = Buffer.alloc(1);
          let count = 0;
          pair.readStream.setClient(StreamEvent.HasBytesAvailable, (stream) => {
            stream.read(buffer, 1);
            if (++count < perPair) stream.acceptData(byte);
            else if (--running === 0) resolve();
          });
        }
        for (const pair of pairs) pair.readStream.acceptData(byte);
      }),
  );
  return (perPair * pairs.length) / (ms / 1000);
}

async function observeOnRate(n: number, scheduler: SchedulerLike): Promise<number> {
  let count = 0;
  const { ms } = await timed(
    () =>
      new Promise<void>((resolve, reject) => {
        range(0, n)
          .pipe(observeOn(scheduler))
          .subscribe({
            next: () => {
              count++;
            },
            error: reject,
            complete: resolve,
          });
      }),
  );
  if (count !== n) throw new Error(`observeOn delivered ${count} of ${n}`);
  return n / (ms / 1000);
}

export async function runDispatch(options: DispatchOptions): Promise<DispatchRow[]> {
  const n = options.events;
  const rxN = Math.min(n, 10_000);
  const one = [await openPair(options.idlePort)];
  const many: StreamPair[] = [];
  for (let i = 0; i < 100; i++) many.push(await openPair(options.idlePort));
  const paths: Array<[string, number, () => Promise<number>]> = [
    ['RunLoop.post, burst', n, () => postBurst(n)],
    ['RunLoop.post, chained', n, () => postChain(n)],
    ['stream event path, 1 pair', n, () => streamEvents(one, n)],
    ['stream event path, 100 pairs', n, () => streamEvents(many, Math.ceil(n / 100))],
    ['RxJS observeOn(runLoop)', rxN, () => observeOnRate(rxN, new (library().RunLoop)())],
    ['RxJS observeOn(asapScheduler)', rxN, () => observeOnRate(rxN, asapScheduler)],
  ];
  const rows: DispatchRow[] = [];
  try {
    for (const [path, events, measure] of paths) {
      await measure(); // warm-up
      const rates: number[] = [];
      for (let i = 0; i < options.repeats; i++) rates.push(await measure());
      options.log(`  ${path}: ${rates.map((r) => `${round(r / 1e6, 2)}M`).join(' ')} events/s`);
      rows.push({
        path,
        events,
        runsPerSecond: rates.map((r) => Math.round(r)),
        medianPerSecond: Math.round(median(rates)),
      });
    }
  } finally {
    for (const pair of [...one, ...many]) pair.close();
  }
  return rows;
}
