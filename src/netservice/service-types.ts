/**
 * Service type enumeration (RFC 6763 §9): the PTR records of
 * `_services._dns-sd._udp.<domain>` name types ("_http._tcp.<domain>").
 * What a peer lists there is checked before it is reported: only
 * "<_service>.<_tcp|_udp>.<domain>" is a type; a subtype entry
 * ("_printer._sub._http._tcp") or anything malformed is dropped.
 */
import { joinName, nameKey, splitName } from '../dns/dns-name.js';
import { normalizeType } from './service-name.js';

/** The type a §9 PTR target names, as `browse$` takes it ("_http._tcp."), or undefined. */
export function typeFromEnumeration(target: string, domain: string): string | undefined {
  let labels: string[];
  try {
    labels = splitName(target);
  } catch {
    return undefined;
  }
  const domainLabels = splitName(domain);
  if (labels.length !== 2 + domainLabels.length) return undefined;
  const tail = labels.slice(2);
  if (nameKey(joinName(tail)) !== nameKey(joinName(domainLabels))) return undefined;
  try {
    return normalizeType(joinName(labels.slice(0, 2)));
  } catch {
    return undefined;
  }
}
