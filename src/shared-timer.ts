/**
 * One Node timer for many short-lived timeouts: the RFC 8305 attempt delay
 * of every connection race (src/stream/connect-race.ts) and the deadline of
 * every DNS exchange in flight (src/unicast/exchange.ts). Nearly all of them
 * are called off long before they are due (a warm open connects in well under
 * 250 ms; a DNS server answers in well under a second), and arming and
 * clearing a Node timer for each cost more than the rest of the open or of
 * reading the whole reply (docs/performance.md). Here a call is an entry in a
 * min-heap; a cancelled one is skipped when it surfaces, or swept once they
 * pile up; the one Node timer is re-armed only for an earlier entry.
 *
 * The timer is unref'd: whoever waits holds a socket that keeps the process
 * alive for as long as the wait matters, and a cancelled wait must not.
 */
// Imported, not the global: Node's global `performance` is a getter run on every read (clock.ts).
import { performance } from 'node:perf_hooks';
import { ExpiryQueue } from './expiry-queue.js';

/** A call that can be called off. */
export interface Scheduled {
  /** It will not run (a no-op once it has run). */
  cancel(): void;
}

class Entry implements Scheduled {
  fire: (() => void) | undefined;

  constructor(fire: () => void) {
    this.fire = fire;
  }

  cancel(): void {
    if (this.fire === undefined) return;
    this.fire = undefined;
    pending -= 1;
  }
}

const queue = new ExpiryQueue<Entry>();
let pending = 0;
let timer: NodeJS.Timeout | undefined;
let armedFor = Number.POSITIVE_INFINITY;

/** Calls `fire` once `ms` milliseconds have passed, never earlier, unless cancelled first. */
export function runAfter(ms: number, fire: () => void): Scheduled {
  const now = performance.now();
  const entry = new Entry(fire);
  pending += 1;
  // Cancelled entries wait in the heap for their time; past twice the live count they go at once.
  if (queue.length > 2 * pending + 64) queue.retain((_, e) => e.fire !== undefined);
  queue.push(now + ms, entry);
  arm(now + ms, now);
  return entry;
}

/** How many calls are still to run (for tests). */
export function pendingCalls(): number {
  return pending;
}

function arm(at: number, now: number): void {
  if (timer !== undefined) {
    if (armedFor <= at) return;
    clearTimeout(timer);
  }
  armedFor = at;
  // Node's timers run on the loop's millisecond clock and may fire a fraction early: wait at
  // least 1 ms, and the sweep re-arms for anything not yet due.
  timer = setTimeout(runDue, Math.max(1, Math.ceil(at - now))).unref();
}

function runDue(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now();
  for (let top = queue.peek(); top !== undefined && top.at <= now; top = queue.peek()) {
    queue.pop();
    const { fire } = top.item;
    if (fire === undefined) continue;
    top.item.fire = undefined;
    pending -= 1;
    fire();
  }
  // A call that fired may have queued (and armed for) another.
  const next = queue.peek();
  if (next !== undefined && timer === undefined) arm(next.at, performance.now());
}
