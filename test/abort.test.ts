import assert from 'node:assert/strict';
import { abortedError, raceAbort, SharedLookup } from '../src/abort.js';
import { ErrorDomain } from '../src/error-codes.js';
import { StreamError } from '../src/errors.js';

describe('abort helpers', () => {
  it('raceAbort rejects with the reason at once, or settles as the promise does', async () => {
    const abort = new AbortController();
    const never = new Promise<number>(() => {});
    const raced = raceAbort(never, abort.signal);
    abort.abort(new Error('gone'));
    await assert.rejects(raced, /gone/);
    assert.equal(await raceAbort(Promise.resolve(7), new AbortController().signal), 7);
  });

  it('abortedError keeps a StreamError reason and wraps anything else as ECANCELED', () => {
    const own = new StreamError(ErrorDomain.NetServices, -72005, 'cancelled');
    const a = new AbortController();
    a.abort(own);
    assert.equal(abortedError(a.signal, 'x'), own);
    const b = new AbortController();
    b.abort('why');
    const wrapped = abortedError(b.signal, 'step aborted');
    assert.equal(wrapped.domain, ErrorDomain.POSIX);
    assert.equal(wrapped.code, 125);
    assert.equal(wrapped.cause, 'why');
  });

  it('SharedLookup starts once for concurrent callers and cancels only when all abort', async () => {
    const lookup = new SharedLookup<string>();
    let starts = 0;
    let cancelled: unknown;
    const start = (signal: AbortSignal): Promise<string> => {
      starts++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve('answer'), 20);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          cancelled = signal.reason;
          reject(signal.reason);
        });
      });
    };
    const first = new AbortController();
    const a = lookup.join(first.signal, start);
    const b = lookup.join(new AbortController().signal, start);
    first.abort(new Error('first left'));
    await assert.rejects(a, /first left/);
    assert.equal(await b, 'answer');
    assert.equal(starts, 1);
    assert.equal(cancelled, undefined);
    // Settled: the next join asks again; when its only caller aborts, the lookup is cancelled.
    const only = new AbortController();
    const c = lookup.join(only.signal, start);
    only.abort(new Error('nobody waits'));
    await assert.rejects(c, /nobody waits/);
    assert.equal(starts, 2);
    assert.match(String(cancelled), /nobody waits/);
  });

  it('SharedLookup.cancel stops the lookup in flight', async () => {
    const lookup = new SharedLookup<string>();
    const waiting = lookup.join(
      new AbortController().signal,
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    lookup.cancel(new Error('stopped'));
    await assert.rejects(waiting, /stopped/);
  });
});
