/** The addresses a cache holds for a host name (RFC 6762 §3), shared by resolves and their diagnoses. */
import type { ResolvedAddress } from '../address.js';
import { isLinkLocalIPv6 } from '../dns/ip-bytes.js';
import { RRType } from '../dns/wire-types.js';
import type { RecordCache } from './record-cache.js';

/**
 * The addresses the cache holds for a host name; link-local IPv6 carries its
 * `%scope`, which `scopeOf` makes of the interface name (the engine's
 * `scopeOf`: an index on Windows, platform.ts).
 */
export function cachedAddresses(
  cache: RecordCache,
  hostName: string,
  scopeOf: (interfaceName: string) => string = (name) => name,
): ResolvedAddress[] {
  const out: ResolvedAddress[] = [];
  const seen = new Set<string>();
  for (const type of [RRType.A, RRType.AAAA]) {
    for (const entry of cache.lookup(hostName, type)) {
      // A goodbye (or a cache flush) dooms a record: the host said it is gone, so do not connect to it.
      if (entry.doomed) continue;
      const data = entry.record.data;
      if (data.type !== 'A' && data.type !== 'AAAA') continue;
      const scoped =
        data.type === 'AAAA' && isLinkLocalIPv6(data.address) && entry.interfaceName !== undefined
          ? `${data.address}%${scopeOf(entry.interfaceName)}`
          : data.address;
      if (seen.has(scoped)) continue;
      seen.add(scoped);
      out.push({ address: scoped, family: data.type === 'A' ? 4 : 6 });
    }
  }
  return out;
}
