/**
 * A service that moved (restarted on another port, or its host renumbered)
 * without announcing it leaves its old SRV and addresses in caches for up to
 * their TTL. When a connection to that resolution fails, its records are
 * reconfirmed (RFC 6762 §10.4) and the network is asked again, past the
 * cache; a different answer is the service's new place.
 */
import type { LazySignal } from '../abort.js';
import type { ResolvedAddress, ServiceResolution } from '../address.js';
import type { ServiceDiscovery } from './discovery.js';

/**
 * How long an open waits for a fresh answer after a failed connection: the
 * one-shot query is answered at once, the multicast one within 120 ms (§6),
 * a busy responder within about a second (avahi's once-a-second rule), and
 * the querier's second query goes out at 1 s.
 */
export const FRESH_ANSWER_MS = 2500;

/** What was tried. */
export interface TriedResolution {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: readonly ResolvedAddress[];
}

/**
 * Reconfirms `failed` and resolves `instance` again from the network;
 * undefined when no answer came in time or the answer is what failed.
 * Rejects only with the signal's reason.
 */
export async function resolveMovedService(
  discovery: ServiceDiscovery,
  instance: string,
  failed: TriedResolution,
  signal: AbortSignal | LazySignal,
): Promise<ServiceResolution | undefined> {
  if (discovery.reconfirm === undefined) return undefined;
  discovery.reconfirm(instance, { ...failed, addresses: [...failed.addresses], txt: undefined });
  let fresh: ServiceResolution;
  try {
    fresh = await discovery.resolve(instance, {
      signal,
      timeoutMs: FRESH_ANSWER_MS,
      needTxt: false,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
  return sameResolution(fresh, failed) ? undefined : fresh;
}

// The same port and no address that was not tried: connecting again would fail again.
function sameResolution(fresh: ServiceResolution, failed: TriedResolution): boolean {
  const tried = new Set(failed.addresses.map((a) => a.address));
  return fresh.port === failed.port && fresh.addresses.every((a) => tried.has(a.address));
}
