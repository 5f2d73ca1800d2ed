/**
 * DNS-SD over unicast DNS (RFC 6763) for every domain other than `local.`:
 * resolve and browse through the configured DNS servers, publish (and change
 * a publication's TXT) with dynamic update (RFC 2136) signed with TSIG
 * (RFC 8945), list the domain's service types (RFC 6763 §9), and keep a
 * live view of services by polling the zone's serial (live-services.ts).
 * Loaded on first use by unicast-discovery.ts, the default discovery, so
 * importing the package does not evaluate the unicast room.
 */

import { rxMap } from '../rx.js';
import { browseUnicast } from '../unicast/browse.js';
import { findBrowseDomains } from '../unicast/browse-domains.js';
import { unicastMonitor, unicastServices } from '../unicast/live-services.js';
import { publishUnicast } from '../unicast/publish.js';
import { cachedService, forgetService, resolveService } from '../unicast/resolve-service.js';
import type { ServiceDiscovery } from './discovery.js';

/** The discovery of every domain but `local.`, loaded by unicast-discovery.ts. */
export const wideAreaDiscovery = {
  resolve: (instance, options) => resolveService(instance, options),
  cached: (instance) => {
    // A peek never throws: a bad CFSTREAM_TSIG is reported by the resolve that follows.
    try {
      return cachedService(instance);
    } catch {
      return undefined;
    }
  },
  reconfirm: (instance, failed) => {
    try {
      forgetService(instance, failed);
    } catch {
      // A bad configuration is reported by the resolve that follows.
    }
  },
  browse: (type) => browseUnicast(type),
  publish: (request) => publishUnicast(request),
  services: (type) => unicastServices(type),
  monitor: (instance) => unicastMonitor(instance),
  types: (domain) =>
    browseUnicast(`_services._dns-sd._udp.${domain}`).pipe(
      rxMap((change) => ({
        kind: change.kind,
        type: change.instance,
        moreComing: change.moreComing,
      })),
    ),
  domains: (signal) => findBrowseDomains({ signal }),
} satisfies ServiceDiscovery;
