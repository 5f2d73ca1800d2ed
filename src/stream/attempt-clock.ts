/**
 * One timer for the attempt delays of every connection race (RFC 8305 §5:
 * start the next address when the previous one has not connected within
 * 250 ms). A warm open to a service with two addresses connects long before
 * its delay is up, and arming and clearing a Node timer for each open cost
 * more than the rest of the race (docs/performance.md): here a wait is an
 * entry in a queue, a cancelled one is skipped when its time comes, and the
 * one Node timer is re-armed only for the earliest wait.
 *
 * The timer is unref'd: while a race waits, its connecting socket keeps the
 * process alive, and a cancelled wait must not.
 */

/** A pending wait; cancel it with {@link cancelWait}. */
export interface AttemptWait {
  readonly at: number;
  fire: (() => void) | undefined;
}

// Node's timers fire on the loop's millisecond clock, which may run a fraction of a
// millisecond behind performance.now(): a wait this close to its time is due.
const SLACK_MS = 1;

const waits: AttemptWait[] = []; // in the order of `at`
let head = 0;
let timer: NodeJS.Timeout | undefined;
let armedFor = Number.POSITIVE_INFINITY;

/** Calls `fire` after `ms`, unless the wait is cancelled first. */
export function afterAttemptDelay(ms: number, fire: () => void): AttemptWait {
  const wait: AttemptWait = { at: performance.now() + ms, fire };
  let index = waits.length;
  // Waits mostly arrive in the order of their times (one delay for every race): append.
  while (index > head && waits[index - 1]!.at > wait.at) index--;
  waits.splice(index, 0, wait);
  if (wait.at < armedFor) arm(wait.at);
  return wait;
}

/** Cancels a wait: it will not fire. */
export function cancelWait(wait: AttemptWait | undefined): void {
  if (wait !== undefined) wait.fire = undefined;
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(runDue, Math.max(0, at - performance.now())).unref();
}

function runDue(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now() + SLACK_MS;
  while (head < waits.length && waits[head]!.at <= now) {
    const wait = waits[head++]!;
    const fire = wait.fire;
    wait.fire = undefined;
    fire?.();
  }
  if (head >= waits.length) {
    waits.length = 0;
    head = 0;
    return;
  }
  waits.splice(0, head);
  head = 0;
  if (timer === undefined) arm(waits[0]!.at); // a wait queued by a fired one may have armed it
}
