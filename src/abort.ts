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

/** What a shared lookup's step uses of a cancellation signal; an AbortSignal is one. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A cancellation signal that builds no AbortSignal until asked (the one a
 * SharedLookup gives its step, and a resolve's own). Node 20 builds an AbortSignal as
 * a full EventTarget (3-9 µs, a tenth of a DNS exchange on loopback) and a
 * lookup nobody cancels never needs one: this plain object does the
 * listening, and `signal` builds the real AbortSignal only for a step that
 * hands it on to an API wanting one (it then aborts along with this).
 */
export class LazySignal implements CancelSignal {
  #aborted = false;
  #reason: unknown;
  #listeners: (() => void)[] = [];
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** A real AbortSignal that aborts with this one (built on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
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
    this.#controller?.abort(reason);
  }
}

/** The real AbortSignal behind `signal` (a LazySignal builds its own on demand). */
export function abortSignalOf(signal: AbortSignal | LazySignal): AbortSignal {
  return signal instanceof LazySignal ? signal.signal : signal;
}

/** A step in flight that several callers wait on. */
export interface SharedStep<T> {
  readonly promise: Promise<T>;
  /** Callers waiting now. */
  waiters: number;
}

/**
 * Waits on a shared step for one caller: settles as the step does, or
 * rejects with the caller's reason when `signal` aborts first; when the last
 * waiter has aborted, `abandon` cancels the step. Used by SharedLookup and by
 * the unicast room's shared questions.
 */
export function waitOn<T>(
  step: SharedStep<T>,
  signal: CancelSignal,
  abandon: (reason: unknown) => void,
): Promise<T> {
  step.waiters += 1;
  return new Promise<T>((resolve, reject) => {
    let left = false;
    const leave = (): boolean => {
      if (left) return false;
      left = true;
      signal.removeEventListener('abort', onAbort);
      step.waiters -= 1;
      return true;
    };
    const onAbort = (): void => {
      if (!leave()) return;
      if (step.waiters === 0) abandon(signal.reason);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    step.promise.then(
      (value) => leave() && resolve(value),
      (error: unknown) => leave() && reject(error),
    );
  });
}

interface InFlight<T> extends SharedStep<T> {
  readonly cancel: LazySignal;
}

/**
 * One lookup shared by every concurrent caller: the first join starts it,
 * later joins wait on the same promise (so a thousand opens ask once), and it
 * is cancelled only when every caller has aborted. The step gets a
 * LazySignal: no AbortSignal is built unless the step asks for one.
 */
export class SharedLookup<T> {
  #current: InFlight<T> | undefined;

  /** Joins the lookup in flight, or starts one with `start`; rejects with the signal's reason if it aborts first. */
  join(signal: AbortSignal, start: (signal: LazySignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let entry = this.#current;
    if (entry === undefined) {
      const cancel = new LazySignal();
      let promise: Promise<T>;
      try {
        promise = start(cancel);
      } catch (error) {
        return Promise.reject(error);
      }
      const started: InFlight<T> = { promise, cancel, waiters: 0 };
      // Settled lookups are not shared: the next join asks again (callers cache results themselves).
      const clear = (): void => {
        if (this.#current === started) this.#current = undefined;
      };
      promise.then(clear, clear);
      this.#current = entry = started;
    }
    const joined = entry;
    return waitOn(joined, signal, (reason) => this.#abandon(joined, reason));
  }

  /** Cancels the lookup in flight, if any. */
  cancel(reason: unknown): void {
    if (this.#current !== undefined) this.#abandon(this.#current, reason);
  }

  #abandon(entry: InFlight<T>, reason: unknown): void {
    if (this.#current === entry) this.#current = undefined;
    entry.cancel.abort(reason);
  }
}
