/**
 * The querier (RFC 6762 §5): one question on the wire serves every waiter for
 * it. Questions due in the same turn share packets, as many as fit each
 * (§17; query-packer.ts). The first send of a
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
import type { Clock } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { CLASS_IN, type DnsMessage, type DnsRecord, typeCode } from '../dns/wire-types.js';
import { ExpiryAlarm } from '../expiry-alarm.js';
import type { MdnsTimings } from './engine-options.js';
import { payloadLimits } from './link-mtu.js';
import { type AskedQuestion, packQuery } from './query-packer.js';
import { type CacheEntry, type RecordCache, recordKey } from './record-cache.js';

const log = debuglog('cfstream:mdns');
/** Questions due within this window of each other share one packet. */
const BATCH_WINDOW_MS = 20;
/**
 * §17: what one query packet may carry. The querier sends on every link at
 * once and knows none of their MTUs, so Ethernet's is assumed (§17: "keep
 * packets under 1500 bytes whenever possible"); questions past it go in
 * further packets, known answers past it in continuation packets (§7.2).
 */
const QUERY_LIMITS = payloadLimits(undefined);

/** §5.2: refresh queries at these fractions of a record's lifetime... */
const REFRESH_POINTS = [0.8, 0.85, 0.9, 0.95];
/** ...each moved later by a random 0-2% of the lifetime, so that queriers spread out. */
const REFRESH_JITTER = 0.02;

/** How queries leave the engine. */
export interface QuerySink {
  multicast(message: DnsMessage): void;
  oneShot(message: DnsMessage): void;
}

interface ActiveQuestion {
  readonly key: string;
  readonly name: string;
  readonly type: number;
  /** Creation order: questions due together go out in the order they were first asked. */
  readonly seq: number;
  waiters: number;
  sends: number;
  nextSendAt: number;
  interval: number;
  /** When this question last went out (-Infinity before that). */
  lastSentAt: number;
  /** When it goes out next as last computed: the time of its one live slot in the queue. */
  dueAt: number;
}

/** Keeps the questions someone waits for on the wire. */
export class Querier {
  readonly #questions = new Map<string, ActiveQuestion>();
  /**
   * Every question by when it goes out next, so that finding the next due
   * costs O(log n), not a scan of every question (5,000 browses took 1.5 s of
   * CPU to schedule). A question's slot is live while its time equals its
   * `dueAt`; the others are skipped when they surface. A slot's time is never
   * later than the question's real due time: whatever makes it earlier (a new
   * question, a requery, a new answer) pushes a new slot; what makes it later
   * (an answer expiring or doomed) is found when the slot surfaces. The
   * timer fires at the soonest live slot.
   */
  readonly #queue: ExpiryAlarm<ActiveQuestion>;
  #nextSeq = 0;
  readonly #clock: Clock;
  readonly #timings: MdnsTimings;
  readonly #cache: RecordCache;
  readonly #sink: QuerySink;
  readonly #random: () => number;
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
    this.#queue = new ExpiryAlarm(
      clock,
      (at, q) => this.#isLive(at, q),
      () => this.#send(),
    );
    // New answers move the refresh times of the questions they answer; others (a flood of
    // records nobody asked for, say) leave the schedule alone.
    this.#unsubscribe = cache.onChange((events) => {
      if (this.#questions.size === 0) return;
      const answered = new Set<ActiveQuestion>();
      for (const e of events) {
        const q = this.#questions.get(
          `${nameKey(e.entry.record.name)}|${typeCode(e.entry.record.data)}`,
        );
        if (q !== undefined) answered.add(q);
      }
      let changed = false;
      for (const q of answered) changed = this.#reslot(q) || changed;
      if (changed) this.#queue.rearm();
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
        key,
        name,
        type,
        seq: this.#nextSeq++,
        waiters: 0,
        sends: 0,
        nextSendAt: this.#clock.now(),
        interval: this.#timings.queryRetransmit,
        lastSentAt: Number.NEGATIVE_INFINITY,
        dueAt: Number.POSITIVE_INFINITY,
      };
      this.#questions.set(key, question);
      this.#cache.promote(name, type);
      this.#reslot(question);
      this.#queue.rearm();
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
        // Its slot goes stale; the queue sheds stale slots when they pile up.
        current.dueAt = Number.POSITIVE_INFINITY;
        this.#queue.sweep(this.#questions.size);
        this.#queue.rearm();
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
    this.#reslot(q);
    this.#queue.rearm();
  }

  /**
   * §7.3: another host multicast a query (from port 5353). Each of its QM
   * questions that we ask too, sent with every known answer we would send,
   * counts as our own send: the answers it draws reach us as well.
   */
  observeQuery(message: DnsMessage): void {
    // A process that only publishes asks nothing: its responder's load skips the keys below.
    if (this.#questions.size === 0) return;
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
      if (!this.#knownAnswers(q).every((r) => known.has(recordKey(r)))) continue;
      q.lastSentAt = now;
      q.sends += 1;
      q.nextSendAt = now + q.interval;
      q.interval = Math.min(q.interval * 2, this.#timings.queryRetransmitMax);
      this.#reslot(q);
      changed = true;
    }
    if (changed) this.#queue.rearm();
  }

  /** §13: the links changed; every question goes out again now and backs off afresh. */
  reissue(): void {
    const now = this.#clock.now();
    this.#queue.clear();
    for (const q of this.#questions.values()) {
      q.nextSendAt = now;
      q.interval = this.#timings.queryRetransmit;
      q.dueAt = Number.POSITIVE_INFINITY;
      this.#reslot(q);
    }
    this.#queue.rearm();
  }

  /** Stops every question; for engine shutdown. */
  close(): void {
    this.#unsubscribe();
    this.#questions.clear();
    this.#queue.cancel();
  }

  /** Gives `q` a slot at its due time if that changed; true when it did. */
  #reslot(q: ActiveQuestion): boolean {
    const at = this.#dueAt(q);
    if (at === q.dueAt) return false;
    q.dueAt = at;
    if (at !== Number.POSITIVE_INFINITY) this.#queue.push(at, q);
    this.#queue.sweep(this.#questions.size);
    return true;
  }

  #isLive(at: number, q: ActiveQuestion): boolean {
    return q.dueAt === at && this.#questions.get(q.key) === q;
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

  /** The questions due within the batch window of `now`, in the order they were first asked. */
  #takeDue(now: number): ActiveQuestion[] {
    const due: ActiveQuestion[] = [];
    const until = now + BATCH_WINDOW_MS;
    for (let top = this.#queue.popDue(until); top !== undefined; top = this.#queue.popDue(until)) {
      const q = top.item;
      if (!this.#isLive(top.at, q)) continue;
      // The slot may be early (an answer expired since): the real time decides.
      q.dueAt = Number.POSITIVE_INFINITY;
      if (this.#dueAt(q) <= now + BATCH_WINDOW_MS) due.push(q);
      else this.#reslot(q);
    }
    return due.sort((a, b) => a.seq - b.seq);
  }

  #send(): void {
    const now = this.#clock.now();
    const due = this.#takeDue(now);
    if (due.length > 0) {
      // §7.2: questions go in packets with their known answers; answers that do not fit follow
      // at once in packets of their own, TC on all but the last, so responders wait for them.
      const items = due.map((q) => this.#asked(q, this.#knownAnswers(q)));
      for (const packet of packQuery(items, QUERY_LIMITS)) {
        this.#sink.multicast(packet);
        this.packetsSent += 1;
      }
      log('query %d questions', due.length);
    }
    const first = due.filter((q) => q.sends === 0);
    if (first.length > 0) {
      for (const packet of packQuery(
        first.map((q) => this.#asked(q, [])),
        QUERY_LIMITS,
      )) {
        // §6.7: a legacy query carries a non-zero ID that the answer echoes.
        const id = 1 + Math.floor(this.#random() * 0xfffe);
        this.#sink.oneShot({ ...packet, id });
        this.packetsSent += 1;
      }
    }
    for (const q of due) {
      q.lastSentAt = now;
      // A refresh leaves the retransmission schedule as it was.
      if (q.nextSendAt <= now + BATCH_WINDOW_MS) {
        q.sends += 1;
        q.nextSendAt = now + q.interval;
        // §5.2: the interval doubles up to a cap.
        q.interval = Math.min(q.interval * 2, this.#timings.queryRetransmitMax);
      }
      this.#reslot(q);
    }
    this.#queue.rearm();
  }

  #asked(q: ActiveQuestion, known: readonly DnsRecord[]): AskedQuestion {
    return {
      question: { name: q.name, type: q.type, rrclass: CLASS_IN, unicastResponse: false },
      known,
    };
  }

  /** §7.1: answers we hold with more than half their TTL left go along, so responders skip them. */
  #knownAnswers(q: ActiveQuestion): DnsRecord[] {
    const out: DnsRecord[] = [];
    for (const entry of this.#cache.lookup(q.name, q.type)) {
      if (entry.doomed) continue;
      const remaining = this.#cache.remainingTtl(entry);
      if (remaining * 2 > entry.record.ttl) {
        out.push({ ...entry.record, cacheFlush: false, ttl: remaining });
      }
    }
    return out;
  }
}
