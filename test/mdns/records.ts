/** Records as a peer would announce them, for the fake-network tests (class IN, cache-flush set). */
import { isIPv4 } from 'node:net';
import type { DnsRecord } from '../../src/mdns/index.js';

/** An SRV record for `instance` pointing at `target`:`port` (TTL 120 s, RFC 6762 §10). */
export function srvRecord(instance: string, target: string, port: number, ttl = 120): DnsRecord {
  return {
    name: instance,
    rrclass: 1,
    cacheFlush: true,
    ttl,
    data: { type: 'SRV', priority: 0, weight: 0, port, target },
  };
}

/** An A or AAAA record, by the address's family (TTL 120 s). */
export function addressRecord(host: string, address: string, ttl = 120): DnsRecord {
  return {
    name: host,
    rrclass: 1,
    cacheFlush: true,
    ttl,
    data: isIPv4(address) ? { type: 'A', address } : { type: 'AAAA', address },
  };
}

/** A TXT record of `strings` (TTL 4500 s, RFC 6762 §10). */
export function txtRecord(instance: string, strings: readonly string[], ttl = 4500): DnsRecord {
  return {
    name: instance,
    rrclass: 1,
    cacheFlush: true,
    ttl,
    data: { type: 'TXT', strings: strings.map((s) => Buffer.from(s)) },
  };
}

/**
 * Record `i` of a flood of made-up, long-lived names: a PTR to a junk instance
 * for even `i`, an A record of a junk host for odd `i` (its address in
 * `prefix`.x.y). The cache-flood tests, the raw flooding peer and the flood
 * bench send these.
 */
export function floodRecord(i: number, prefix = '10.66'): DnsRecord {
  return i % 2 === 0
    ? {
        name: '_junk._tcp.local',
        rrclass: 1,
        cacheFlush: false,
        ttl: 4500,
        data: { type: 'PTR', target: `Junk ${i}._junk._tcp.local` },
      }
    : {
        name: `junk-${i}.local`,
        rrclass: 1,
        cacheFlush: true,
        ttl: 4500,
        data: { type: 'A', address: `${prefix}.${(i >> 8) & 255}.${i & 255}` },
      };
}
