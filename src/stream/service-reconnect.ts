/**
 * A pair to a service whose known resolution did not connect (refused,
 * unreachable, timed out): the service may have moved without saying so.
 * The service resolves again past the cache (reconfirming the stale records,
 * RFC 6762 §10.4) and the open connects to the fresh answer; with no
 * different answer the first failure stands.
 */
import type { Socket } from 'node:net';
import type { ResolvedAddress } from '../address.js';
import { connectToFirst } from './connect-race.js';

/** A resolution an open tried. */
export interface TriedRoute {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: readonly ResolvedAddress[];
}

/** What a service offers for a second try (NetService#resolveAgain). */
export interface ReresolvableService {
  resolveAgain?(
    signal: AbortSignal,
    failed: TriedRoute,
  ): Promise<{ hostName: string; port: number; addresses: ResolvedAddress[] } | undefined>;
}

/** Connects to the service's fresh resolution after `failed` failed with `error`; rethrows `error` when there is none. */
export async function reconnectToService(
  service: ReresolvableService,
  failed: TriedRoute,
  error: unknown,
  signal: AbortSignal,
  options: { readonly attemptDelayMs?: number },
): Promise<{ socket: Socket; hostName: string }> {
  const fresh = await service.resolveAgain?.(signal, failed);
  if (fresh === undefined) throw error;
  const socket = await connectToFirst(fresh.addresses, fresh.port, { signal, ...options });
  return { socket, hostName: fresh.hostName };
}
