/**
 * Time for the engine: the real clock in production, a fake one in
 * conformance tests, so that RFC 6762 timings (250 ms probes, 1 s retransmits,
 * TTL expiry) can be checked to the millisecond without waiting for them.
 */
// Imported, not the global: Node's global `performance` is a getter run on every read, and a
// busy responder reads the clock for every query.
import { performance } from 'node:perf_hooks';

/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** What the engine needs of time. Real timers are unref'd: they never keep a process alive. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): Timer;
}

/** The process clock; timers are unref'd. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, delayMs) {
    // "Now" runs after the current turn (so one turn's questions share a packet) without
    // setTimeout's 1 ms floor. Not unref'd: an unref'd immediate does not stop the loop from
    // blocking in poll, so it ran only when some other packet or timer woke the loop (a
    // first query waited up to hundreds of milliseconds). It runs once, so it cannot keep
    // a process alive.
    if (delayMs <= 0) {
      const immediate = setImmediate(callback);
      return { cancel: () => clearImmediate(immediate) };
    }
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that moves only when told to; for tests. */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; seq: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): Timer {
    const seq = ++this.#seq;
    this.#timers.set(seq, { at: this.#now + Math.max(0, delayMs), seq, callback });
    return { cancel: () => this.#timers.delete(seq) };
  }

  /** Runs every timer due within `ms`, in time order, moving the clock as it goes. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: { at: number; seq: number; callback: () => void } | undefined;
      for (const timer of this.#timers.values()) {
        if (
          timer.at <= target &&
          (next === undefined ||
            timer.at < next.at ||
            (timer.at === next.at && timer.seq < next.seq))
        ) {
          next = timer;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next.seq);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = target;
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#timers.size;
  }
}
