/**
 * Choosing what to answer (RFC 6762 §6): the records matching each question,
 * minus the known answers the querier already holds (§7.1), plus the
 * additional records DNS-SD recommends (RFC 6763 §12), and NSEC records that
 * say which types a name of ours does not have (§6.1, §6.2).
 */
import { nameKey } from '../dns/dns-name.js';
import { CLASS_IN, type DnsMessage, type DnsRecord, RRType, typeCode } from '../dns/wire-types.js';
import { recordKey } from './record-cache.js';
import type { OwnedRecord } from './responder-records.js';

const CLASS_ANY = 255;

// Indexes built once per list or message: a type with hundreds of instances makes the plain
// scans quadratic (300 PTR answers against 1,200 records and 300 known answers).
const byNameCache = new WeakMap<readonly OwnedRecord[], Map<string, OwnedRecord[]>>();
const knownCache = new WeakMap<DnsMessage, Map<string, number>>();
const keyCache = new WeakMap<DnsRecord, string>();

/**
 * recordKey of one of our records, built once per record object: every query
 * asks for the keys of the same few (records are never changed in place).
 */
export function ownKey(record: DnsRecord): string {
  let key = keyCache.get(record);
  if (key === undefined) {
    key = recordKey(record);
    keyCache.set(record, key);
  }
  return key;
}

/** `mine` by name key. */
function byName(mine: readonly OwnedRecord[]): Map<string, OwnedRecord[]> {
  let index = byNameCache.get(mine);
  if (index === undefined) {
    index = new Map();
    for (const candidate of mine) {
      const key = nameKey(candidate.record.name);
      const list = index.get(key);
      if (list === undefined) index.set(key, [candidate]);
      else list.push(candidate);
    }
    byNameCache.set(mine, index);
  }
  return index;
}

/** The largest TTL the message lists for each known answer. */
function knownTtls(message: DnsMessage): Map<string, number> {
  let index = knownCache.get(message);
  if (index === undefined) {
    index = new Map();
    for (const known of message.answers) {
      const key = recordKey(known);
      index.set(key, Math.max(known.ttl, index.get(key) ?? 0));
    }
    knownCache.set(message, index);
  }
  return index;
}

/** Records (from `mine`) that answer the message's questions, after known-answer suppression. */
export function selectAnswers(message: DnsMessage, mine: readonly OwnedRecord[]): OwnedRecord[] {
  const chosen = new Map<string, OwnedRecord>();
  for (const question of message.questions) {
    if (question.rrclass !== CLASS_IN && question.rrclass !== CLASS_ANY) continue;
    for (const candidate of byName(mine).get(nameKey(question.name)) ?? []) {
      const { record } = candidate;
      if (question.type !== RRType.ANY && question.type !== typeCode(record.data)) continue;
      chosen.set(ownKey(record), candidate);
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
    const named = byName(mine).get(nameKey(question.name)) ?? [];
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
  if (message.answers.length === 0) return false;
  const ttl = knownTtls(message).get(ownKey(record));
  return ttl !== undefined && ttl * 2 >= record.ttl;
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
  const inAnswers = new Set(answers.map((a) => ownKey(a.record)));
  const out = new Map<string, OwnedRecord>();
  const index = byName(mine);
  const addNamed = (name: string, types: readonly number[]): void => {
    for (const candidate of index.get(nameKey(name)) ?? []) {
      if (!types.includes(typeCode(candidate.record.data))) continue;
      const k = ownKey(candidate.record);
      if (inAnswers.has(k) || out.has(k)) continue;
      if (isKnownAnswer(message, candidate.record)) continue;
      out.set(k, candidate);
    }
  };
  const targets: string[] = [];
  for (const { record } of answers) {
    const data = record.data;
    if (data.type === 'PTR') {
      addNamed(data.target, [RRType.SRV, RRType.TXT]);
      for (const c of index.get(nameKey(data.target)) ?? [])
        if (c.record.data.type === 'SRV') targets.push(c.record.data.target);
    } else if (data.type === 'SRV') {
      targets.push(data.target);
    } else if (data.type === 'A' || data.type === 'AAAA') {
      targets.push(record.name);
    }
  }
  for (const target of new Set(targets)) {
    addNamed(target, [RRType.A, RRType.AAAA]);
    // §6.2: a host without addresses of one family says so, or queriers keep asking for them.
    const named = index.get(nameKey(target)) ?? [];
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
