/**
 * RFC 6762 §10.1 for addresses: when an address leaves an interface that
 * stays up, its record is no longer true, and a peer would keep answering
 * with it until its TTL (120 s) runs out. A new address of the same family
 * would flush it (cache-flush, §10.2), but with no replacement only a goodbye
 * does. These are the goodbyes to send, interface by interface.
 */
import type { MdnsInterface } from './interfaces.js';
import { recordKey } from './record-cache.js';
import { hostRecords, type OwnedRecord } from './responder-records.js';

/** The host's address records that were on an interface before and are not now, as goodbyes (TTL 0). */
export function vanishedAddressGoodbyes(
  hostName: string,
  before: readonly MdnsInterface[],
  after: readonly MdnsInterface[],
): { iface: MdnsInterface; goodbyes: OwnedRecord[] }[] {
  const out: { iface: MdnsInterface; goodbyes: OwnedRecord[] }[] = [];
  for (const iface of after) {
    const old = before.find((i) => i.name === iface.name);
    if (old === undefined) continue;
    const kept = new Set(hostRecords(hostName, iface).map((r) => recordKey(r.record)));
    const goodbyes = hostRecords(hostName, old)
      .filter((r) => !kept.has(recordKey(r.record)))
      .map((r) => ({ ...r, record: { ...r.record, ttl: 0 } }));
    if (goodbyes.length > 0) out.push({ iface, goodbyes });
  }
  // An interface that went away altogether cannot carry anything: nothing is sent for it.
  return out;
}
