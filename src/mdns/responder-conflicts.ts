/**
 * How the responder tells that another host wants one of its names (RFC
 * 6762 §8.1, §8.2, §9), and how often it may try again. Judgements only:
 * the responder acts on them (rename, probe again, wait).
 */
import { nameKey } from '../dns/dns-name.js';
import { type DnsMessage, typeCode } from '../dns/wire-types.js';
import type { MdnsInterface } from './interfaces.js';
import { recordKey } from './record-cache.js';
import { compareRecordSets } from './responder-records.js';
import { instanceName, type Registration, registrationRecords } from './responder-registration.js';

/** §8.1: after this many conflicts within the window, a host waits before probing again. */
const CONFLICT_WINDOW_MS = 10_000;
const CONFLICT_LIMIT = 15;

/** The conflicts of the last ten seconds (§8.1). */
export class ConflictRate {
  #times: number[] = [];

  /** Counts a conflict at `now`; true when probing must now pause (15 within 10 s). */
  note(now: number): boolean {
    this.#times = [...this.#times.filter((t) => now - t < CONFLICT_WINDOW_MS), now];
    return this.#times.length >= CONFLICT_LIMIT;
  }
}

/**
 * §8.2: two hosts probing one name at once; the lexicographically later
 * record set wins. The name of `reg` (its instance or the host name) whose
 * tie-break the probe in `message` wins against us, if any.
 */
export function lostTieBreak(
  reg: Registration,
  message: DnsMessage,
  hostName: string,
  interfaces: readonly MdnsInterface[],
  iface: MdnsInterface | undefined,
): string | undefined {
  for (const name of [instanceName(reg), hostName]) {
    const key = nameKey(name);
    const theirs = message.authorities.filter((r) => nameKey(r.name) === key);
    if (theirs.length === 0) continue;
    // Our own probe, sent on another interface (with that link's addresses) and looped back, is no rival.
    const everything = new Set(
      interfaces.flatMap((i) =>
        registrationRecords(reg, hostName, i).map((r) => recordKey(r.record)),
      ),
    );
    if (theirs.every((r) => everything.has(recordKey(r)))) continue;
    const ours = registrationRecords(reg, hostName, iface)
      .filter((r) => r.unique && nameKey(r.record.name) === key)
      .map((r) => r.record);
    if (compareRecordSets(ours, theirs) < 0) return name;
  }
  return undefined;
}

/**
 * Which of `reg`'s unique names a response claims with other data: while
 * probing any other data for the name is a conflict (§8.1); once announced,
 * only other data of the same type is (§9). Goodbyes and NSEC claim nothing.
 */
export function conflictIn(
  reg: Registration,
  message: DnsMessage,
  hostName: string,
  interfaces: readonly MdnsInterface[],
): 'host' | 'instance' | undefined {
  const records = [...message.answers, ...message.additionals].filter(
    (r) => r.ttl > 0 && r.data.type !== 'NSEC',
  );
  const ours = interfaces
    .flatMap((i) => registrationRecords(reg, hostName, i))
    .filter((r) => r.unique);
  const ourKeys = new Set(ours.map((r) => recordKey(r.record)));
  const ourNames = new Set(ours.map((r) => nameKey(r.record.name)));
  for (const record of records) {
    const name = nameKey(record.name);
    if (!ourNames.has(name) || ourKeys.has(recordKey(record))) continue;
    if (
      reg.state === 'announced' &&
      !ours.some(
        (r) => nameKey(r.record.name) === name && typeCode(r.record.data) === typeCode(record.data),
      )
    )
      continue;
    return name === nameKey(hostName) ? 'host' : 'instance';
  }
  return undefined;
}
