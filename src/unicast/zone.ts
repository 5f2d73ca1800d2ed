/**
 * Finds the zone that holds a name (RFC 2136 §4, RFC 8765 §6.1): ask for the
 * name's SOA; an answer names the zone itself, a negative answer carries the
 * zone's SOA in its authority section; with neither, ask again one label up.
 */

import { joinName, splitName } from '../dns/dns-name.js';
import { ExtraType } from '../dns/wire-extra.js';
import type { DnsRecord } from '../dns/wire-types.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { lookup } from './dns-client.js';
import { notFoundError } from './unicast-errors.js';

/** The serial of an SOA record: its RDATA ends with five 32-bit fields, serial first (RFC 1035 §3.3.13). */
export function soaSerial(record: DnsRecord): number | undefined {
  const data = record.data;
  if (data.type !== 'OTHER' || data.code !== ExtraType.SOA || data.raw.length < 22)
    return undefined;
  return data.raw.readUInt32BE(data.raw.length - 20);
}

/** The zone (presentation form, no final dot) that holds `name`. */
export async function findZone(
  name: string,
  options: { signal: AbortSignal; deadline: number; config?: UnicastConfig },
): Promise<string> {
  const config = options.config ?? unicastConfig();
  let labels = splitName(name);
  while (labels.length > 0) {
    const here = joinName(labels);
    const answer = await lookup(here, ExtraType.SOA, { ...options, config });
    if (answer.kind === 'records') return answer.records[0]?.name ?? here;
    if (answer.zone !== undefined && answer.zone !== '') return answer.zone;
    labels = labels.slice(1);
  }
  throw notFoundError(`no DNS zone holds ${JSON.stringify(name)}`);
}

/** The zone's SOA serial, asked fresh of the server (the cache would hide a change). */
export async function zoneSerial(
  zone: string,
  options: { signal: AbortSignal; deadline: number; config?: UnicastConfig },
): Promise<number | undefined> {
  const answer = await lookup(zone, ExtraType.SOA, { ...options, fresh: true });
  return answer.kind === 'records' ? soaSerial(answer.records[0] as DnsRecord) : undefined;
}
