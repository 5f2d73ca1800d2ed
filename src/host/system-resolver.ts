/** Names outside `.local`: the system resolver (getaddrinfo), every address it gives. */
import { promises as dns } from 'node:dns';
import { netdbError } from '../errors.js';
import type { ResolvedAddress } from './address.js';

/** Looks `name` up with getaddrinfo; a failure is a NetDB-domain StreamError. */
export async function lookupWithSystemResolver(
  name: string,
  signal: AbortSignal,
): Promise<ResolvedAddress[]> {
  signal.throwIfAborted();
  // getaddrinfo cannot be cancelled; an abort stops waiting for it, and its answer is dropped.
  const lookup = dns.lookup(name, { all: true, order: 'verbatim' }).then(
    (entries) =>
      entries.map(
        (entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }) as const,
      ),
    (error: NodeJS.ErrnoException) => {
      throw netdbError(error, name);
    },
  );
  return raceAbort(lookup, signal);
}

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
