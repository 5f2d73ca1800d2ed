import assert from 'node:assert/strict';
import { abortedError, type CancelSignal, raceAbort, SharedLookup } from '../src/abort.js';
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
    const start = (signal: CancelSignal): Promise<string> => {
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

  it('SharedLookup builds no AbortSignal unless its step asks, and the one built aborts with the lookup', async () => {
    const lookup = new SharedLookup<string>();
    const given: CancelSignal[] = [];
    let heard = 0;
    const start = (signal: CancelSignal): Promise<string> => {
      given.push(signal);
      signal.addEventListener('abort', () => heard++);
      return new Promise(() => {});
    };
    const first = new AbortController();
    const second = new AbortController();
    const a = lookup.join(first.signal, start);
    const b = lookup.join(second.signal, start);
    const shared = given[0];
    assert.equal(given.length, 1);
    // A lookup nobody cancels costs no EventTarget: the step gets a plain object.
    assert.ok(shared !== undefined && !(shared instanceof AbortSignal));
    first.abort(new Error('first left'));
    await assert.rejects(a, /first left/);
    assert.equal(shared.aborted, false);
    const real = (shared as unknown as { readonly signal: AbortSignal }).signal;
    assert.ok(real instanceof AbortSignal);
    assert.equal(real.aborted, false);
    let realHeard: unknown;
    real.addEventListener('abort', () => {
      realHeard = real.reason;
    });
    second.abort(new Error('all left'));
    await assert.rejects(b, /all left/);
    assert.equal(heard, 1);
    assert.match(String(shared.reason), /all left/);
    assert.match(String(realHeard), /all left/);
    // Asked for after the abort, the real signal is already aborted with the same reason.
    const late = new SharedLookup<string>();
    let lateSignal: CancelSignal | undefined;
    const only = new AbortController();
    const c = late.join(only.signal, (signal) => {
      lateSignal = signal;
      return new Promise(() => {});
    });
    only.abort(new Error('gone'));
    await assert.rejects(c, /gone/);
    const built = (lateSignal as unknown as { readonly signal: AbortSignal }).signal;
    assert.equal(built.aborted, true);
    assert.match(String(built.reason), /gone/);
  });
});
