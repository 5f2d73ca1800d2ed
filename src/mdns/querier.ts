/**
 * The querier (RFC 6762 §5): one question on the wire serves every waiter for
 * it. Questions asked in the same turn share a packet. The first send of a
 * question goes out twice: multicast from port 5353, so every cache on the
 * link learns the answer, and as a one-shot query from an ephemeral port
 * (§5.1), which responders answer at once by unicast to that port alone --
 * even when they multicast the record less than a second ago (§6) and even
 * when other processes share port 5353. Retransmissions follow at 1 s, 2 s,
 * 4 s... (§5.2) while anyone still waits, carrying known answers (§7.1).
 * While a question stays asked (a browse), its cached answers are refreshed
 * at 80, 85, 90 and 95% of their lifetime (§5.2), so a live record never
 * expires between the ever rarer retransmissions. Another host's query for
 * the same question counts as ours when it carries every known answer we
 * would (§7.3).
 */
import { debuglog } from 'node:util';
import type { Clock, Timer } from './clock.js';
import { nameKey } from './dns-name.js';
import type { MdnsTimings } from './engine-options.js';
import { payloadLimits } from './link-mtu.js';
import { PacketBudget } from './packet-budget.js';
import { type CacheEntry, type RecordCache, recordKey } from './record-cache.js';
import {
  CLASS_IN,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  Flag,
  makeMessage,
  typeCode,
} from './wire-types.js';

const log = debuglog('cfstream:mdns');
/** Questions due within this window of each other share one packet. */
const BATCH_WINDOW_MS = 20;
/**
 * §17: what one query packet may carry. The querier sends on every link at
 * once and knows none of their MTUs, so Ethernet's is assumed; known answers
 * past it go in continuation packets (§7.2).
 */
const QUERY_LIMITS = payloadLimits(undefined);

/** §5.2: refresh queries at these fractions of a record's lifetime... */
const REFRESH_POINTS = [0.8, 0.85, 0.9, 0.95];
/** ...each moved later by a random 0-2% of the lifetime, so that queriers spread out. */
const REFRESH_JITTER = 0.02;

/**
 * A query and its known answers in packets within the §17 limit: the
 * questions and the first answers, then as many continuation packets as the
 * rest need. A known answer too large for an MTU-sized packet goes alone
 * (at most 9000 bytes); one too large even for that is left out, which only
 * means a responder may send it again.
 */
export function packKnownAnswers(
  questions: readonly DnsQuestion[],
  known: readonly DnsRecord[],
): DnsMessage[] {
  const first = new PacketBudget(makeMessage({ questions }), QUERY_LIMITS.normal);
  const packets = [first];
  let current = first;
  for (const record of known) {
    if (current.add(record, 'answers')) continue;
    const next = new PacketBudget(makeMessage({}), QUERY_LIMITS.normal);
    if (next.add(record, 'answers')) {
      packets.push(next);
      current = next;
      continue;
    }
    const alone = new PacketBudget(makeMessage({}), QUERY_LIMITS.lone);
    if (alone.add(record, 'answers')) packets.push(alone);
    else log('known answer %s of %s too large for any datagram', record.data.type, record.name);
  }
  return packets.map((p) => p.message());
}

/** How queries leave the engine. */
export interface QuerySink {
  multicast(message: DnsMessage): void;
  oneShot(message: DnsMessage): void;
}

interface ActiveQuestion {
  readonly name: string;
  readonly type: number;
  waiters: number;
  sends: number;
  nextSendAt: number;
  interval: number;
  /** When this question last went out (-Infinity before that). */
  lastSentAt: number;
}

/** Keeps the questions someone waits for on the wire. */
export class Querier {
  readonly #questions = new Map<string, ActiveQuestion>();
  readonly #clock: Clock;
  readonly #timings: MdnsTimings;
  readonly #cache: RecordCache;
  readonly #sink: QuerySink;
  readonly #random: () => number;
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  // Each cached answer's refresh jitter, drawn once (a refreshed record is a new entry).
  readonly #jitter = new WeakMap<CacheEntry, number>();
  readonly #unsubscribe: () => void;
  /** Packets sent, for tests and the "at most 3 queries" benchmark. */
  packetsSent = 0;

  constructor(
    clock: Clock,
    timings: MdnsTimings,
    cache: RecordCache,
    sink: QuerySink,
    random: () => number,
  ) {
    this.#clock = clock;
    this.#timings = timings;
    this.#cache = cache;
    this.#sink = sink;
    this.#random = random;
    // New answers move the refresh times of the questions they answer; others (a flood of
    // records nobody asked for, say) leave the schedule alone.
    this.#unsubscribe = cache.onChange((events) => {
      if (this.#questions.size === 0) return;
      if (
        events.some((e) =>
          this.#questions.has(`${nameKey(e.entry.record.name)}|${typeCode(e.entry.record.data)}`),
        )
      )
        this.#schedule();
    });
    // What we ask for is what the cache keeps longest (record-cache.ts).
    cache.setInterest((name, type) => this.#questions.has(`${nameKey(name)}|${type}`));
  }

  /** How many distinct questions are being asked. */
  get activeCount(): number {
    return this.#questions.size;
  }

  /** Asks a question until the returned release function is called (once per ask). */
  ask(name: string, type: number): () => void {
    const key = `${nameKey(name)}|${type}`;
    let question = this.#questions.get(key);
    if (question === undefined) {
      question = {
        name,
        type,
        waiters: 0,
        sends: 0,
        nextSendAt: this.#clock.now(),
        interval: this.#timings.queryRetransmit,
        lastSentAt: Number.NEGATIVE_INFINITY,
      };
      this.#questions.set(key, question);
      this.#cache.promote(name, type);
      this.#schedule();
    }
    question.waiters += 1;
    let released = false;
    const current = question;
    return () => {
      if (released) return;
      released = true;
      current.waiters -= 1;
      if (current.waiters === 0 && this.#questions.get(key) === current) {
        this.#questions.delete(key);
        this.#schedule();
      }
    };
  }

  /**
   * Sends an asked question again now as if first asked: multicast and a
   * one-shot (§5.1), whose answer a responder sends at once by unicast even
   * when it multicast the record less than a second ago (§6); then backs off
   * afresh. Does nothing for a question nobody asks.
   */
  requery(name: string, type: number): void {
    const q = this.#questions.get(`${nameKey(name)}|${type}`);
    if (q === undefined) return;
    q.sends = 0;
    q.nextSendAt = this.#clock.now();
    q.interval = this.#timings.queryRetransmit;
    this.#schedule();
  }

  /**
   * §7.3: another host multicast a query (from port 5353). Each of its QM
   * questions that we ask too, sent with every known answer we would send,
   * counts as our own send: the answers it draws reach us as well.
   */
  observeQuery(message: DnsMessage): void {
    const now = this.#clock.now();
    let theirs: Set<string> | undefined;
    let changed = false;
    for (const question of message.questions) {
      // A QU question's answer may go to the asker alone; a question never sent keeps its one-shot.
      if (question.unicastResponse) continue;
      const q = this.#questions.get(`${nameKey(question.name)}|${question.type}`);
      if (q === undefined || q.sends === 0) continue;
      theirs ??= new Set(message.answers.map(recordKey));
      const known = theirs;
      if (!this.#knownAnswers([q]).every((r) => known.has(recordKey(r)))) continue;
      q.lastSentAt = now;
      q.sends += 1;
      q.nextSendAt = now + q.interval;
      q.interval = Math.min(q.interval * 2, this.#timings.queryRetransmitMax);
      changed = true;
    }
    if (changed) this.#schedule();
  }

  /** §13: the links changed; every question goes out again now and backs off afresh. */
  reissue(): void {
    const now = this.#clock.now();
    for (const q of this.#questions.values()) {
      q.nextSendAt = now;
      q.interval = this.#timings.queryRetransmit;
    }
    this.#schedule();
  }

  /** Stops every question; for engine shutdown. */
  close(): void {
    this.#unsubscribe();
    this.#questions.clear();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #schedule(): void {
    let soonest = Number.POSITIVE_INFINITY;
    for (const q of this.#questions.values()) soonest = Math.min(soonest, this.#dueAt(q));
    if (soonest === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = soonest;
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimer(() => this.#send(), soonest - this.#clock.now());
  }

  /** When `q` goes out next: its retransmission, or an earlier refresh of one of its answers. */
  #dueAt(q: ActiveQuestion): number {
    return Math.min(q.nextSendAt, this.#refreshAt(q));
  }

  /**
   * §5.2: the first refresh point of `q`'s cached answers not yet served by a
   * query, no sooner than a retransmission interval after the last send (a
   * peer announcing 1-second TTLs must not make us query four times a second).
   */
  #refreshAt(q: ActiveQuestion): number {
    if (q.sends === 0) return Number.POSITIVE_INFINITY;
    let soonest = Number.POSITIVE_INFINITY;
    for (const entry of this.#cache.lookup(q.name, q.type)) {
      if (entry.doomed) continue;
      const lifetime = entry.record.ttl * 1000;
      let jitter = this.#jitter.get(entry);
      if (jitter === undefined) {
        jitter = this.#random() * REFRESH_JITTER * lifetime;
        this.#jitter.set(entry, jitter);
      }
      for (const point of REFRESH_POINTS) {
        const at = entry.receivedAt + point * lifetime + jitter;
        if (at > q.lastSentAt) {
          soonest = Math.min(soonest, Math.max(at, q.lastSentAt + this.#timings.queryRetransmit));
          break;
        }
      }
    }
    return soonest;
  }

  #send(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due = [...this.#questions.values()].filter(
      (q) => this.#dueAt(q) <= now + BATCH_WINDOW_MS,
    );
    const first = due.filter((q) => q.sends === 0);
    if (due.length > 0) {
      const questions: DnsQuestion[] = due.map((q) => ({
        name: q.name,
        type: q.type,
        rrclass: CLASS_IN,
        unicastResponse: false,
      }));
      // §7.2: known answers that do not fit follow at once in packets of their own, every
      // packet but the last with the TC bit, so responders wait for them before answering.
      const packets = packKnownAnswers(questions, this.#knownAnswers(due));
      for (const [i, packet] of packets.entries()) {
        const last = i === packets.length - 1;
        this.#sink.multicast(last ? packet : { ...packet, flags: packet.flags | Flag.TC });
        this.packetsSent += 1;
      }
      log(
        'query %o',
        due.map((q) => `${q.name}/${q.type}#${q.sends + 1}`),
      );
    }
    if (first.length > 0) {
      // §6.7: a legacy query carries a non-zero ID that the answer echoes.
      const id = 1 + Math.floor(this.#random() * 0xfffe);
      const questions = first.map((q) => ({
        name: q.name,
        type: q.type,
        rrclass: CLASS_IN,
        unicastResponse: false,
      }));
      this.#sink.oneShot(makeMessage({ id, questions }));
      this.packetsSent += 1;
    }
    for (const q of due) {
      q.lastSentAt = now;
      // A refresh leaves the retransmission schedule as it was.
      if (q.nextSendAt > now + BATCH_WINDOW_MS) continue;
      q.sends += 1;
      q.nextSendAt = now + q.interval;
      // §5.2: the interval doubles up to a cap.
      q.interval = Math.min(q.interval * 2, this.#timings.queryRetransmitMax);
    }
    this.#schedule();
  }

  /** §7.1: answers we hold with more than half their TTL left go along, so responders skip them. */
  #knownAnswers(questions: readonly ActiveQuestion[]): DnsRecord[] {
    const out: DnsRecord[] = [];
    for (const q of questions) {
      for (const entry of this.#cache.lookup(q.name, q.type)) {
        if (entry.doomed) continue;
        const remaining = this.#cache.remainingTtl(entry);
        if (remaining * 2 > entry.record.ttl) {
          out.push({ ...entry.record, cacheFlush: false, ttl: remaining });
        }
      }
    }
    return out;
  }
}
