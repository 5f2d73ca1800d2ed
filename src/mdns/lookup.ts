/**
 * A lookup: wait until the cache holds what a caller needs, asking the
 * querier for whatever is missing -- including follow-up questions that only
 * an earlier answer makes known (an SRV's target needs A and AAAA, RFC 6763
 * §12). The caller's `evaluate` reads the cache and either returns a result
 * or calls `want()` for the questions still open.
 */

import type { Clock } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import type { StreamError } from '../errors.js';
import type { Querier } from './querier.js';
import type { CacheEvent, RecordCache } from './record-cache.js';

/** What `evaluate` sees. */
export interface LookupContext {
  readonly cache: RecordCache;
  /** Keeps a question on the wire until the lookup ends. */
  want(name: string, type: number): void;
  /** Evaluates again after `ms` even if nothing arrives (for grace periods). */
  recheckAfter(ms: number): void;
  /** Keeps a question on the wire, and sends it again now as if first asked (Querier.requery). */
  askAgain(name: string, type: number): void;
}

/** The parts of an engine a lookup uses. */
export interface LookupHost {
  readonly cache: RecordCache;
  readonly querier: Querier;
  readonly clock: Clock;
  /** Keeps the engine's sockets referenced; returns the release. */
  hold(): () => void;
  /** Calls `listener` if the engine cannot send or receive at all; returns the removal. */
  onFailure(listener: (error: StreamError) => void): () => void;
  /** Calls `listener` when the system refuses our queries (engine.ts); returns the removal. */
  onSendFailure(listener: (error: StreamError) => void): () => void;
}

/** Options of one lookup. */
export interface LookupOptions<T> {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly evaluate: (context: LookupContext) => T | undefined;
  readonly timeoutError: () => Error;
}

/** Runs a lookup; resolves with the first result `evaluate` gives, rejects on timeout or abort. */
export function lookupRecords<T>(host: LookupHost, options: LookupOptions<T>): Promise<T> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const releases = new Map<string, () => void>();
    let releaseHold: (() => void) | undefined;
    let offFailures: (() => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    let recheck: { cancel(): void } | undefined;
    let recheckAt = Number.POSITIVE_INFINITY;
    const context: LookupContext = {
      cache: host.cache,
      want(name, type) {
        const key = `${nameKey(name)}|${type}`;
        if (!releases.has(key)) releases.set(key, host.querier.ask(name, type));
      },
      askAgain(name, type) {
        context.want(name, type);
        host.querier.requery(name, type);
      },
      recheckAfter(ms) {
        // One timer, at the earliest time asked for (evaluate asks again for any later one).
        const at = host.clock.now() + ms;
        if (recheck !== undefined && recheckAt <= at) return;
        recheck?.cancel();
        recheckAt = at;
        recheck = host.clock.setTimer(() => {
          recheck = undefined;
          evaluate();
        }, ms);
      },
    };
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      recheck?.cancel();
      signal.removeEventListener('abort', onAbort);
      unsubscribe?.();
      for (const release of releases.values()) release();
      releaseHold?.();
      offFailures?.();
      action();
    };
    const evaluate = (): void => {
      let result: T | undefined;
      try {
        result = options.evaluate(context);
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (result !== undefined) {
        const value = result;
        finish(() => resolve(value));
      }
    };
    const onAbort = (): void => finish(() => reject(signal.reason));
    const timer = host.clock.setTimer(
      () => finish(() => reject(options.timeoutError())),
      options.timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    evaluate();
    if (settled) return;
    releaseHold = host.hold();
    const offFailure = host.onFailure((error) => finish(() => reject(error)));
    const offSendFailure = host.onSendFailure((error) => finish(() => reject(error)));
    offFailures = () => {
      offFailure();
      offSendFailure();
    };
    unsubscribe = host.cache.onChange((events: readonly CacheEvent[]) => {
      if (events.some((e) => e.kind !== 'removed')) evaluate();
    });
  });
}
