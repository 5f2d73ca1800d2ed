/**
 * Concurrent identical questions share one exchange: a thousand opens of one
 * service, or a browse and a resolve asking for the same SRV, send one query
 * and take the same answer. The shared exchange is cancelled only when every
 * caller has left; it has its own signal (a LazySignal: an AbortSignal costs
 * as much as a tenth of the exchange on loopback). A settled question is not
 * shared any more: the answer cache serves what comes next.
 */
import { type CancelSignal, LazySignal, type SharedStep, waitOn } from '../abort.js';

interface InFlight<T> extends SharedStep<T> {
  readonly canceller: LazySignal;
}

/** The questions in flight, by key ("name/type"). */
export class SharedQueries<T> {
  readonly #inFlight = new Map<string, InFlight<T>>();

  /**
   * Joins the question in flight under `key`, or starts one with `start`.
   * `fresh` joins none (one sent earlier may carry an answer from before what
   * the caller knows); later callers join the fresh one. Rejects with the
   * signal's reason when it aborts first.
   */
  join(
    key: string,
    signal: CancelSignal,
    fresh: boolean,
    start: (signal: CancelSignal) => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let entry = fresh ? undefined : this.#inFlight.get(key);
    if (entry === undefined) {
      const canceller = new LazySignal();
      let promise: Promise<T>;
      try {
        promise = start(canceller);
      } catch (error) {
        return Promise.reject(error);
      }
      const started: InFlight<T> = { promise, canceller, waiters: 0 };
      const clear = (): void => {
        if (this.#inFlight.get(key) === started) this.#inFlight.delete(key);
      };
      promise.then(clear, clear);
      this.#inFlight.set(key, started);
      entry = started;
    }
    const joined = entry;
    return waitOn(joined, signal, (reason) => {
      if (this.#inFlight.get(key) === joined) this.#inFlight.delete(key);
      joined.canceller.abort(reason);
    });
  }

  /** True when a question is in flight under `key` (a join would wait on it). */
  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /** Later joins under `key` start a new question; the one in flight still answers its callers. */
  detach(key: string): void {
    this.#inFlight.delete(key);
  }

  /** How many questions are in flight. */
  get size(): number {
    return this.#inFlight.size;
  }
}
