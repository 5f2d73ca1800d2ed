/** The mDNS engine (RFC 6762): one per process, shared by hosts, services and browsers. */
import type { ResolvedAddress } from '../address.js';
import { getMdnsEngine } from './engine.js';
import { resolveHostWithEngine } from './resolve.js';

export { type Clock, FakeClock, realClock, type Timer } from '../clock.js';
export { escapeLabel, joinName, nameKey, sameName, splitName } from '../dns/dns-name.js';
export { decodePacket, encodePacket } from '../dns/packet-codec.js';
export * from '../dns/wire-types.js';
export {
  type Destination,
  getMdnsEngine,
  MdnsEngine,
  onEngineClose,
  resetMdnsEngine,
  runningMdnsEngine,
} from './engine.js';
export {
  type MdnsEngineOptions,
  type MdnsLimits,
  type MdnsTimings,
  RFC_TIMINGS,
  TTL,
} from './engine-options.js';
export type { CacheEntry, CacheEvent } from './record-cache.js';
export {
  cachedAddresses,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  resolveHostWithEngine,
  resolveServiceWithEngine,
} from './resolve.js';
export type { PacketSource, PacketTransport } from './transport.js';

/**
 * Resolves a `.local` host name to its A and AAAA addresses through the
 * shared engine; link-local IPv6 addresses carry their `%interface`. Rejects
 * with a NetServices Timeout StreamError, or the signal's reason on abort.
 */
export function resolveLocalHostName(
  name: string,
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<ResolvedAddress[]> {
  return resolveHostWithEngine(getMdnsEngine(), name, options);
}
