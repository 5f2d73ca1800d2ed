/**
 * When each of our records was last multicast on each link, for the pacing
 * rules of RFC 6762: §6, a record is multicast at most once a second on a
 * link (250 ms when defending against a probe, §8.1/§9); §5.4, a QU
 * question for a record multicast within that time is answered by unicast.
 * Records are keyed by ownKey (made once per record object), per interface
 * name, so a check builds no text.
 */
import type { DnsRecord } from '../dns/wire-types.js';
import type { MdnsInterface } from './interfaces.js';
import { ownKey } from './responder-answers.js';
import type { OwnedRecord } from './responder-records.js';

/** Last multicast times, by interface name, then by record key. */
export class MulticastTimes {
  readonly #byLink = new Map<string, Map<string, number>>();

  /** The times of `iface` (by record key), to read and to set. */
  on(iface: MdnsInterface): Map<string, number> {
    let sent = this.#byLink.get(iface.name);
    if (sent === undefined) {
      sent = new Map();
      this.#byLink.set(iface.name, sent);
    }
    return sent;
  }
}

/** Milliseconds since `record` was last multicast (in `sent`), or Infinity. */
export function since(sent: ReadonlyMap<string, number>, record: DnsRecord, now: number): number {
  const last = sent.get(ownKey(record));
  return last === undefined ? Number.POSITIVE_INFINITY : now - last;
}

/** True when one of `answers` was multicast less than `limit` ms ago. */
export function anySentWithin(
  answers: readonly OwnedRecord[],
  sent: ReadonlyMap<string, number>,
  now: number,
  limit: number,
): boolean {
  for (const a of answers) if (since(sent, a.record, now) < limit) return true;
  return false;
}

/** True when one of `answers` was last multicast `limit` ms ago or more (or never). */
export function anySentBefore(
  answers: readonly OwnedRecord[],
  sent: ReadonlyMap<string, number>,
  now: number,
  limit: number,
): boolean {
  for (const a of answers) if (since(sent, a.record, now) >= limit) return true;
  return false;
}
