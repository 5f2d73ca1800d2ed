/**
 * The announcements of changed rdata (RFC 6762 §8.4, "Updating"): when a
 * record of ours changes, the Announcing step of §8.3 is repeated -- an
 * unsolicited response at once and another one second later, unique records
 * with the cache-flush bit so peers replace the old data instead of adding
 * to it. §8.4 also says a host "SHOULD NOT update records more frequently
 * than ten times per minute": past that, further changes wait for the window
 * and go out as one announcement of the latest data. Socket-free: `send`
 * reads the current records when it runs, so a later change always wins.
 */
import type { Clock, Timer } from '../clock.js';

/** §8.4: at most this many updates in any window of `UPDATE_WINDOW_MS`. */
export const UPDATE_LIMIT = 10;
/** The window of the update limit: one minute. */
export const UPDATE_WINDOW_MS = 60_000;

/** Paces the announcements of one registration's updates. */
export class UpdateAnnouncer {
  readonly #clock: Clock;
  readonly #send: () => void;
  readonly #repeatAfterMs: number;
  /** When the updates of the last window went out. */
  #sentAt: number[] = [];
  #timer: Timer | undefined;
  /** What the timer does: the repeat of the last announcement, or a deferred update. */
  #due: 'repeat' | 'deferred' | undefined;

  /** `repeatAfterMs`: the §8.3 interval between the two announcements (1000 ms). */
  constructor(clock: Clock, send: () => void, repeatAfterMs: number) {
    this.#clock = clock;
    this.#send = send;
    this.#repeatAfterMs = repeatAfterMs;
  }

  /** The records changed: announce them now, or when the §8.4 rate allows. */
  changed(): void {
    if (this.#due === 'deferred') return; // already waiting; it will send the latest data
    const now = this.#clock.now();
    this.#sentAt = this.#sentAt.filter((t) => now - t < UPDATE_WINDOW_MS);
    if (this.#sentAt.length >= UPDATE_LIMIT) {
      const oldest = this.#sentAt[0] as number;
      this.#arm('deferred', oldest + UPDATE_WINDOW_MS - now);
      return;
    }
    this.#announce(now);
  }

  /** Stops pending announcements (the service stopped, or went back to probing). */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#due = undefined;
  }

  #announce(now: number): void {
    this.#sentAt.push(now);
    this.#send();
    this.#arm('repeat', this.#repeatAfterMs);
  }

  #arm(due: 'repeat' | 'deferred', delayMs: number): void {
    this.#timer?.cancel();
    this.#due = due;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#due = undefined;
      if (due === 'repeat') this.#send();
      else this.#announce(this.#clock.now());
    }, delayMs);
  }
}
