/**
 * Choosing what to answer (RFC 6762 §6): the records matching each question,
 * minus the known answers the querier already holds (§7.1), plus the
 * additional records DNS-SD recommends (RFC 6763 §12), and NSEC records that
 * say which types a name of ours does not have (§6.1, §6.2).
 */
import { nameKey } from './dns-name.js';
import { recordKey } from './record-cache.js';
import type { OwnedRecord } from './responder-records.js';
import { CLASS_IN, type DnsMessage, type DnsRecord, RRType, typeCode } from './wire-types.js';

const CLASS_ANY = 255;

/** Records (from `mine`) that answer the message's questions, after known-answer suppression. */
export function selectAnswers(message: DnsMessage, mine: readonly OwnedRecord[]): OwnedRecord[] {
  const chosen = new Map<string, OwnedRecord>();
  for (const question of message.questions) {
    if (question.rrclass !== CLASS_IN && question.rrclass !== CLASS_ANY) continue;
    const name = nameKey(question.name);
    for (const candidate of mine) {
      const { record } = candidate;
      if (nameKey(record.name) !== name) continue;
      if (question.type !== RRType.ANY && question.type !== typeCode(record.data)) continue;
      chosen.set(recordKey(record), candidate);
    }
  }
  return [...chosen.values()].filter((c) => !isKnownAnswer(message, c.record));
}

/**
 * §6.1: a question for a name we own (it has unique records) in a type it
 * has none of is answered with an NSEC record listing the types it has, so
 * the querier stops asking.
 */
export function selectNegativeAnswers(
  message: DnsMessage,
  mine: readonly OwnedRecord[],
): OwnedRecord[] {
  const out = new Map<string, OwnedRecord>();
  for (const question of message.questions) {
    if (question.rrclass !== CLASS_IN && question.rrclass !== CLASS_ANY) continue;
    if (question.type === RRType.ANY) continue;
    const name = nameKey(question.name);
    const named = mine.filter((c) => nameKey(c.record.name) === name);
    if (!named.some((c) => c.unique)) continue;
    if (named.some((c) => typeCode(c.record.data) === question.type)) continue;
    const nsec = nsecFor(named);
    if (!isKnownAnswer(message, nsec.record)) out.set(recordKey(nsec.record), nsec);
  }
  return [...out.values()];
}

/**
 * The NSEC record of one name (`named`: its records): the types it has, the
 * name itself as "next" (§6.1), the TTL its records have, cache-flush set.
 */
export function nsecFor(named: readonly OwnedRecord[]): OwnedRecord {
  const first = named[0]?.record;
  if (first === undefined) throw new Error('nsecFor needs at least one record');
  const types = [...new Set(named.map((c) => typeCode(c.record.data)))].sort((a, b) => a - b);
  const ttl = Math.min(...named.map((c) => c.record.ttl));
  return {
    record: {
      name: first.name,
      rrclass: CLASS_IN,
      cacheFlush: true,
      ttl,
      data: { type: 'NSEC', next: first.name, types },
    },
    unique: true,
  };
}

/** §7.1: the querier listed this record with at least half its TTL left. */
export function isKnownAnswer(message: DnsMessage, record: DnsRecord): boolean {
  const key = recordKey(record);
  return message.answers.some((known) => known.ttl * 2 >= record.ttl && recordKey(known) === key);
}

/**
 * RFC 6763 §12: a PTR answer brings the instance's SRV and TXT and the
 * target's addresses; an SRV answer brings the addresses; an address record
 * brings its sibling family (RFC 6762 §6.2).
 */
export function selectAdditionals(
  answers: readonly OwnedRecord[],
  mine: readonly OwnedRecord[],
  message: DnsMessage,
): OwnedRecord[] {
  const inAnswers = new Set(answers.map((a) => recordKey(a.record)));
  const out = new Map<string, OwnedRecord>();
  const addNamed = (name: string, types: readonly number[]): void => {
    const key = nameKey(name);
    for (const candidate of mine) {
      const k = recordKey(candidate.record);
      if (inAnswers.has(k) || out.has(k)) continue;
      if (nameKey(candidate.record.name) !== key) continue;
      if (!types.includes(typeCode(candidate.record.data))) continue;
      if (isKnownAnswer(message, candidate.record)) continue;
      out.set(k, candidate);
    }
  };
  const targets: string[] = [];
  for (const { record } of answers) {
    const data = record.data;
    if (data.type === 'PTR') {
      addNamed(data.target, [RRType.SRV, RRType.TXT]);
      for (const c of mine) {
        if (c.record.data.type === 'SRV' && nameKey(c.record.name) === nameKey(data.target))
          targets.push(c.record.data.target);
      }
    } else if (data.type === 'SRV') {
      targets.push(data.target);
    } else if (data.type === 'A' || data.type === 'AAAA') {
      targets.push(record.name);
    }
  }
  for (const target of targets) {
    addNamed(target, [RRType.A, RRType.AAAA]);
    // §6.2: a host without addresses of one family says so, or queriers keep asking for them.
    const key = nameKey(target);
    const named = mine.filter((c) => nameKey(c.record.name) === key);
    const has = (type: number): boolean => named.some((c) => typeCode(c.record.data) === type);
    if (named.length === 0 || (has(RRType.A) && has(RRType.AAAA))) continue;
    const nsec = nsecFor(named);
    const k = recordKey(nsec.record);
    if (!inAnswers.has(k) && !isKnownAnswer(message, nsec.record)) out.set(k, nsec);
  }
  return [...out.values()];
}

/** A record as sent in a legacy unicast reply: TTL at most 10 s, no cache-flush bit (§6.7). */
export function legacyRecord(record: DnsRecord, maxTtl: number): DnsRecord {
  return { ...record, cacheFlush: false, ttl: Math.min(record.ttl, maxTtl) };
}
