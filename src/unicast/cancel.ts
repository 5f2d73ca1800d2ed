/**
 * A cancellation signal that costs what a plain object costs. Node 20 builds
 * an AbortSignal as a full EventTarget (about 9 µs, and more garbage), which
 * on loopback is a tenth of a whole DNS exchange; a query shared by several
 * callers needs its own signal (cancelled when the last caller leaves), so it
 * uses this one. The exchange takes either (CancelSignal is the part of
 * AbortSignal it uses).
 */

/** What an exchange uses of a cancellation signal; an AbortSignal is one. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A cancellation signal and its trigger in one. */
export class Canceller implements CancelSignal {
  #aborted = false;
  #reason: unknown;
  #listeners: (() => void)[] = [];

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Listeners run once, on abort (so `once` changes nothing). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  /** Aborts with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
