/**
 * The records a published service owns (RFC 6763 §4-6, §9, §12) and the
 * record-set comparison of the simultaneous-probe tie-break (RFC 6762 §8.2).
 */
import { hostname } from 'node:os';
import { escapeLabel } from '../dns/dns-name.js';
import { encodeRdata } from '../dns/rdata.js';
import { CLASS_IN, type DnsRecord, type RecordData, typeCode } from '../dns/wire-types.js';
import { TTL } from './engine-options.js';
import type { MdnsInterface } from './interfaces.js';

/** RFC 6763 §9: the meta-query name that lists service types. */
export const SERVICES_META = '_services._dns-sd._udp.local';

/** A record we own; `unique` records carry the cache-flush bit and are probed. */
export interface OwnedRecord {
  readonly record: DnsRecord;
  readonly unique: boolean;
}

function owned(name: string, data: RecordData, ttl: number, unique: boolean): OwnedRecord {
  return { record: { name, rrclass: CLASS_IN, cacheFlush: unique, ttl, data }, unique };
}

/** The records of a service instance, without the host's address records. */
export function serviceRecords(
  instance: string,
  type: string,
  hostName: string,
  port: number,
  txt: readonly Buffer[],
  subtypes: readonly string[] = [],
): OwnedRecord[] {
  return [
    owned(type, { type: 'PTR', target: instance }, TTL.other, false),
    // RFC 6763 §7.1: "<subtype>._sub.<type>" PTR names the instance too (shared, like the type's).
    ...subtypes.map((sub) =>
      owned(
        `${escapeLabel(sub)}._sub.${type}`,
        { type: 'PTR', target: instance },
        TTL.other,
        false,
      ),
    ),
    owned(SERVICES_META, { type: 'PTR', target: type }, TTL.other, false),
    owned(
      instance,
      { type: 'SRV', priority: 0, weight: 0, port, target: hostName },
      TTL.host,
      true,
    ),
    owned(instance, { type: 'TXT', strings: txt }, TTL.other, true),
  ];
}

/** The address records of the host on one interface: never another link's addresses (RFC 6762 §6.2). */
export function hostRecords(hostName: string, iface: MdnsInterface | undefined): OwnedRecord[] {
  if (iface === undefined) return [];
  return iface.addresses.map((a) =>
    owned(
      hostName,
      a.family === 4
        ? { type: 'A', address: a.address }
        : { type: 'AAAA', address: a.address.split('%')[0] ?? '' },
      TTL.host,
      true,
    ),
  );
}

/** The default host name: os.hostname() made into one DNS label, in `.local`. */
export function defaultHostName(): string {
  const base =
    hostname()
      .split('.')[0]
      ?.replace(/[^A-Za-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '') || 'node';
  return `${base}.local`;
}

/**
 * RFC 6762 §8.2: compares two sets of records claiming one name, sorted by
 * class, type, then raw uncompressed rdata; the first difference decides,
 * and a set that runs out first is the lesser. Negative when ours loses.
 */
export function compareRecordSets(
  ours: readonly DnsRecord[],
  theirs: readonly DnsRecord[],
): number {
  const sortKey = (r: DnsRecord): [number, number, Buffer] => [
    r.rrclass,
    typeCode(r.data),
    encodeRdata(r.data),
  ];
  const order = (a: [number, number, Buffer], b: [number, number, Buffer]): number =>
    a[0] - b[0] || a[1] - b[1] || Buffer.compare(a[2], b[2]);
  const a = ours.map(sortKey).sort(order);
  const b = theirs.map(sortKey).sort(order);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = order(a[i] as [number, number, Buffer], b[i] as [number, number, Buffer]);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/**
 * RFC 6762 §9 / DNS-SD convention: "Name" → "Name (2)" → "Name (3)". The
 * count is exact at any size (BigInt): past 2^53 a Number would stop moving
 * and rename to the same name for ever.
 */
export function nextInstanceName(name: string): string {
  const match = /^(.*) \((\d+)\)$/.exec(name);
  const base = match ? (match[1] as string) : name;
  let suffix = ` (${match ? BigInt(match[2] as string) + 1n : 2n})`;
  // A count too long for the label starts again at 2 (still a new name: the base is kept).
  if (Buffer.byteLength(suffix, 'utf8') >= 63) suffix = ' (2)';
  let trimmed = base;
  while (Buffer.byteLength(trimmed + suffix, 'utf8') > 63)
    trimmed = [...trimmed].slice(0, -1).join('');
  return trimmed + suffix;
}

/** "host.local" → "host-2.local" → "host-3.local", counting exactly (BigInt). */
export function nextHostName(name: string): string {
  const label = name.replace(/\.local\.?$/i, '');
  const match = /^(.*)-(\d+)$/.exec(label);
  let base = match ? (match[1] as string) : label;
  const suffix = `-${match ? BigInt(match[2] as string) + 1n : 2n}`;
  // A host label is at most 63 octets too (RFC 1035 §2.3.4).
  while (base !== '' && Buffer.byteLength(base + suffix, 'utf8') > 63)
    base = [...base].slice(0, -1).join('');
  return `${base}${suffix}.local`;
}
