/**
 * One timer for the deadlines of every DNS exchange in flight. A setTimeout
 * and its clearTimeout cost about as much as reading and checking the whole
 * reply (7-9 µs of a 120 µs exchange on loopback, measured in context:
 * docs/performance.md), and nearly every exchange is answered long before its
 * deadline. So each try only notes its deadline here; one unref'd timer,
 * armed for the earliest deadline, wakes up, ends the tries whose time has
 * come and arms itself for the next. A try answered in time costs a Set
 * insertion and deletion. The timer is unref'd: a try waits on a socket,
 * which keeps the process alive for as long as the try needs it.
 */

/** A deadline that can be called off. */
export interface Deadline {
  cancel(): void;
}

const pending = new Set<Entry>();

class Entry implements Deadline {
  readonly expiresAt: number;
  readonly onExpiry: () => void;

  constructor(expiresAt: number, onExpiry: () => void) {
    this.expiresAt = expiresAt;
    this.onExpiry = onExpiry;
  }

  cancel(): void {
    pending.delete(this);
  }
}
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Number.POSITIVE_INFINITY;

function arm(at: number, now: number): void {
  if (timer !== undefined) {
    if (armedFor <= at) return;
    clearTimeout(timer);
  }
  armedFor = at;
  // Node's timers run on the loop's cached clock and may fire a little early: at least 1 ms.
  timer = setTimeout(sweep, Math.max(1, Math.ceil(at - now)));
  timer.unref();
}

function sweep(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  const expired: Entry[] = [];
  for (const entry of pending) {
    if (entry.expiresAt <= now) expired.push(entry);
    else if (entry.expiresAt < next) next = entry.expiresAt;
  }
  for (const entry of expired) pending.delete(entry);
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  for (const entry of expired) entry.onExpiry();
}

/** Calls `onExpiry` once `ms` milliseconds have passed, unless cancelled first. */
export function atDeadline(ms: number, onExpiry: () => void): Deadline {
  const now = performance.now();
  const entry = new Entry(now + ms, onExpiry);
  pending.add(entry);
  arm(entry.expiresAt, now);
  return entry;
}

/** How many deadlines are pending (for tests). */
export function pendingDeadlines(): number {
  return pending.size;
}
