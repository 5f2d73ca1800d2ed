/** Names outside `.local`: the system resolver (getaddrinfo), every address it gives. */
import { promises as dns } from 'node:dns';
import { raceAbort } from '../abort.js';
import type { ResolvedAddress } from '../address.js';
import { netdbError } from '../errors.js';

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
