/**
 * What the soak measures between its phases: Node's active handles by kind,
 * process-wide listeners, and the heap after a full collection (the process
 * runs with --expose-gc), plus a sampler for the peaks during a phase. A
 * phase passes when handles and listeners are back to its baseline, the heap
 * is within a stated tolerance of it, and RSS levels off (memory outside the
 * JS heap, such as OpenSSL's, is invisible to the heap check).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The state of the process at one moment. */
export interface Snapshot {
  /** Active resources by kind (process.getActiveResourcesInfo). */
  readonly handles: Readonly<Record<string, number>>;
  /** Listeners on `process` plus those counted by the caller (servers of the soak). */
  readonly listeners: number;
  /** Heap used after a full GC, bytes. */
  readonly heapUsed: number;
  /** Resident set size, bytes. */
  readonly rss: number;
}

/** One check of a phase: its name, whether it held, and the numbers behind it. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Heap growth allowed between a phase's baseline and its end (after GC). */
export const HEAP_TOLERANCE_BYTES = 8 * 1024 * 1024;

const MiB = 1024 * 1024;

/** Bytes as MiB with one decimal, for the summary. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Runs a full GC a few times with event-loop turns between, so finalizers and weak callbacks settle. */
export async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the soak with node --expose-gc');
  for (let i = 0; i < 4; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(20);
  }
}

function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function processListeners(): number {
  let total = 0;
  for (const name of process.eventNames()) total += process.listenerCount(name);
  return total;
}

/** Takes a snapshot after a full GC; `extraListeners` adds the listeners the caller watches. */
export async function snapshot(extraListeners: () => number = () => 0): Promise<Snapshot> {
  await collect();
  const memory = process.memoryUsage();
  return {
    handles: handleCounts(),
    listeners: processListeners() + extraListeners(),
    heapUsed: memory.heapUsed,
    rss: memory.rss,
  };
}

/** Kinds whose count is above the baseline's, as "2 TCPSocketWrap". */
export function extraHandles(before: Snapshot, after: Snapshot): string[] {
  const extra: string[] = [];
  for (const [kind, n] of Object.entries(after.handles)) {
    const allowed = before.handles[kind] ?? 0;
    if (n > allowed) extra.push(`${n - allowed} ${kind}`);
  }
  return extra;
}

/**
 * Snapshots until handles are back to `before` (closing sockets takes a few
 * turns of the event loop, a closed TCP peer a little longer), at most `waitMs`.
 */
export async function settledSnapshot(
  before: Snapshot,
  extraListeners: () => number = () => 0,
  waitMs = 10_000,
): Promise<Snapshot> {
  const deadline = Date.now() + waitMs;
  let now = await snapshot(extraListeners);
  while (extraHandles(before, now).length > 0 && Date.now() < deadline) {
    await sleep(200);
    now = await snapshot(extraListeners);
  }
  return now;
}

/** The three checks of a phase: handles, listeners, heap within tolerance. */
export function backToBaseline(phase: string, before: Snapshot, after: Snapshot): Check[] {
  const extra = extraHandles(before, after);
  const growth = after.heapUsed - before.heapUsed;
  return [
    {
      name: `${phase}: handles back to baseline`,
      ok: extra.length === 0,
      detail: `${describeHandles(before)} -> ${describeHandles(after)}${extra.length > 0 ? ` (extra: ${extra.join(', ')})` : ''}`,
    },
    {
      name: `${phase}: listeners back to baseline`,
      ok: after.listeners <= before.listeners,
      detail: `${before.listeners} -> ${after.listeners}`,
    },
    {
      name: `${phase}: heap after GC within ${mib(HEAP_TOLERANCE_BYTES)} of baseline`,
      ok: growth <= HEAP_TOLERANCE_BYTES,
      detail: `${mib(before.heapUsed)} -> ${mib(after.heapUsed)} (${growth >= 0 ? '+' : ''}${mib(growth)})`,
    },
  ];
}

/** "TCPSocketWrap 2, Timeout 1" in a stable order. */
export function describeHandles(s: Snapshot): string {
  const parts = Object.entries(s.handles)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** The peaks of a phase, and RSS right after full collections at marks through it. */
export interface Peaks {
  readonly heapUsed: number;
  readonly rss: number;
  /** RSS after a full GC at each mark, in order (the phase's start and end are marks too). */
  readonly rssAfterGc: readonly number[];
}

/**
 * RSS after GC may rise this much over a phase's second half. The first half
 * is left out: RSS climbs to the high-water mark of garbage not yet collected
 * and the allocator keeps those pages, so only a climb after that is a leak.
 */
export const RSS_CLIMB_TOLERANCE_BYTES = 64 * 1024 * 1024;

/**
 * Samples heap and RSS every `everyMs` during a phase and keeps the peaks;
 * `mark()` runs a full GC and records RSS after it. Garbage that holds native
 * memory (OpenSSL contexts, for one) is invisible to V8 and collected late, so
 * only RSS after a collection tells a leak from garbage not yet collected.
 */
export class PeakSampler {
  #timer: NodeJS.Timeout | undefined;
  #peakHeap = 0;
  #peakRss = 0;
  readonly #afterGc: number[] = [];

  /** Starts sampling (the timer is unref'd and stopped before any snapshot). */
  start(everyMs = 500): void {
    this.#sample();
    this.mark();
    this.#timer = setInterval(() => this.#sample(), everyMs);
    this.#timer.unref();
  }

  /** A full GC (synchronous), then RSS. */
  mark(): void {
    this.#sample();
    (globalThis as { gc?: () => void }).gc?.();
    this.#afterGc.push(process.memoryUsage().rss);
  }

  /** Stops sampling and returns the peaks, in bytes. */
  stop(): Peaks {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.mark();
    return { heapUsed: this.#peakHeap, rss: this.#peakRss, rssAfterGc: [...this.#afterGc] };
  }

  #sample(): void {
    const memory = process.memoryUsage();
    this.#peakHeap = Math.max(this.#peakHeap, memory.heapUsed);
    this.#peakRss = Math.max(this.#peakRss, memory.rss);
  }
}

/** The RSS check of a phase: after GC, RSS rises at most the tolerance from its middle mark on. */
export function rssLevelsOff(phase: string, peaks: Peaks): Check {
  const marks = peaks.rssAfterGc;
  const middle = Math.floor((marks.length - 1) / 2);
  const climb = Math.max(...marks.slice(middle)) - (marks[middle] ?? 0);
  const at = (i: number): string => mib(marks[i] ?? 0);
  return {
    name: `${phase}: RSS after GC levels off (second half rises at most ${mib(RSS_CLIMB_TOLERANCE_BYTES)})`,
    ok: climb <= RSS_CLIMB_TOLERANCE_BYTES,
    detail: `${marks.length} marks: first ${at(0)}, middle ${at(middle)}, last ${at(marks.length - 1)}, max ${mib(Math.max(...marks))} (+${mib(climb)} from the middle)`,
  };
}
