/**
 * Cancellation helpers shared by every room: racing a promise against an
 * AbortSignal, the error an aborted step reports, and a lookup shared by
 * concurrent callers that is cancelled only when all of them have given up.
 */
import { posixError, StreamError } from './errors.js';

/** Rejects with the signal's reason as soon as it aborts; otherwise settles as `promise` does. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** What an aborted step reports: the signal's reason when it is a StreamError, else POSIX ECANCELED. */
export function abortedError(signal: AbortSignal, message: string): StreamError {
  const reason: unknown = signal.reason;
  if (reason instanceof StreamError) return reason;
  return posixError('ECANCELED', message, reason);
}

interface InFlight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * One lookup shared by every concurrent caller: the first join starts it,
 * later joins wait on the same promise (so a thousand opens ask once), and it
 * is cancelled only when every caller has aborted.
 */
export class SharedLookup<T> {
  #current: InFlight<T> | undefined;

  /** Joins the lookup in flight, or starts one with `start`; rejects with the signal's reason if it aborts first. */
  join(signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let entry = this.#current;
    if (entry === undefined) {
      const controller = new AbortController();
      let promise: Promise<T>;
      try {
        promise = start(controller.signal);
      } catch (error) {
        return Promise.reject(error);
      }
      const started: InFlight<T> = { promise, controller, waiters: 0 };
      // Settled lookups are not shared: the next join asks again (callers cache results themselves).
      const clear = (): void => {
        if (this.#current === started) this.#current = undefined;
      };
      promise.then(clear, clear);
      this.#current = entry = started;
    }
    const joined = entry;
    joined.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = (): boolean => {
        if (left) return false;
        left = true;
        signal.removeEventListener('abort', onAbort);
        joined.waiters -= 1;
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        if (joined.waiters === 0) this.#abandon(joined, signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => leave() && resolve(value),
        (error: unknown) => leave() && reject(error),
      );
    });
  }

  /** Cancels the lookup in flight, if any. */
  cancel(reason: unknown): void {
    if (this.#current !== undefined) this.#abandon(this.#current, reason);
  }

  #abandon(entry: InFlight<T>, reason: unknown): void {
    if (this.#current === entry) this.#current = undefined;
    entry.controller.abort(reason);
  }
}
