/**
 * One clock timer pointed at the soonest live item of an ExpiryQueue: what
 * the mDNS record cache uses to expire records and the querier to send
 * questions. Each holds thousands of items but needs one Node timer, re-armed
 * only when the soonest time changes (arming and clearing a timer per record
 * or per question is what a flood or a large browse would pay otherwise).
 * Refreshes and reschedules push a new slot rather than move the old one, so
 * the queue holds stale slots: they are skipped when they surface and swept
 * once they outnumber the live ones (past twice the live count plus 64), so
 * the queue stays O(live items).
 */
import type { Clock, Timer } from './clock.js';
import { ExpiryQueue } from './expiry-queue.js';

/** A timer that fires at the soonest live slot of its queue. */
export class ExpiryAlarm<T> {
  readonly #queue = new ExpiryQueue<T>();
  readonly #clock: Clock;
  readonly #isLive: (at: number, item: T) => boolean;
  readonly #fire: () => void;
  #timer: Timer | undefined;
  #at = Number.POSITIVE_INFINITY;

  /**
   * `isLive` tells a slot still wanted from a stale one; `fire` runs when the
   * soonest live slot is due, with the alarm disarmed: it takes the due slots
   * (`popDue`) and calls `rearm` when done.
   */
  constructor(clock: Clock, isLive: (at: number, item: T) => boolean, fire: () => void) {
    this.#clock = clock;
    this.#isLive = isLive;
    this.#fire = fire;
  }

  /** When the timer fires (+Infinity while disarmed): no live slot is due before it. */
  get at(): number {
    return this.#at;
  }

  /** How many slots the queue holds, stale ones included. */
  get length(): number {
    return this.#queue.length;
  }

  /** Adds `item` due at `at`; the timer moves at the next `rearm`. */
  push(at: number, item: T): void {
    this.#queue.push(at, item);
  }

  /** Removes and returns the soonest slot if it is due by `until`, live or stale. */
  popDue(until: number): { readonly at: number; readonly item: T } | undefined {
    const top = this.#queue.peek();
    if (top === undefined || top.at > until) return undefined;
    this.#queue.pop();
    return top;
  }

  /** Keeps only the live slots once the queue holds more than twice `live` plus 64. */
  sweep(live: number): void {
    if (this.#queue.length > 2 * live + 64) this.#queue.retain(this.#isLive);
  }

  /** Drops stale slots from the top and points the timer at the soonest live one. */
  rearm(): void {
    let top = this.#queue.peek();
    while (top !== undefined && !this.#isLive(top.at, top.item)) {
      this.#queue.pop();
      top = this.#queue.peek();
    }
    const soonest = top?.at ?? Number.POSITIVE_INFINITY;
    if (soonest === this.#at) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#at = soonest;
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimer(() => this.#ring(), soonest - this.#clock.now());
  }

  /** Forgets every slot; the timer stays armed until the next `rearm`. */
  clear(): void {
    this.#queue.clear();
  }

  /** Forgets every slot and disarms the timer; for shutdown. */
  cancel(): void {
    this.#queue.clear();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }

  #ring(): void {
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
    this.#fire();
  }
}
