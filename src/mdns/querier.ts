/**
 * The querier (RFC 6762 §5): one question on the wire serves every waiter for
 * it. Questions asked in the same turn share a packet. The first send of a
 * question goes out twice: multicast from port 5353, so every cache on the
 * link learns the answer, and as a one-shot query from an ephemeral port
 * (§5.1), which responders answer at once by unicast to that port alone --
 * even when they multicast the record less than a second ago (§6) and even
 * when other processes share port 5353. Retransmissions follow at 1 s, 2 s,
 * 4 s... (§5.2) while anyone still waits, carrying known answers (§7.1).
 */
import { debuglog } from 'node:util';
import type { Clock, Timer } from './clock.js';
import { nameKey } from './dns-name.js';
import type { MdnsTimings } from './engine-options.js';
import type { RecordCache } from './record-cache.js';
import {
  CLASS_IN,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  makeMessage,
} from './wire-types.js';

const log = debuglog('cfstream:mdns');
/** Questions due within this window of each other share one packet. */
const BATCH_WINDOW_MS = 20;
/** Known answers per packet; keeps a query within one datagram (§7.2 allows more packets; we do not). */
const MAX_KNOWN_ANSWERS = 40;

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
      };
      this.#questions.set(key, question);
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

  /** Stops every question; for engine shutdown. */
  close(): void {
    this.#questions.clear();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #schedule(): void {
    let soonest = Number.POSITIVE_INFINITY;
    for (const q of this.#questions.values()) soonest = Math.min(soonest, q.nextSendAt);
    if (soonest === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = soonest;
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimer(() => this.#send(), soonest - this.#clock.now());
  }

  #send(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due = [...this.#questions.values()].filter((q) => q.nextSendAt <= now + BATCH_WINDOW_MS);
    const first = due.filter((q) => q.sends === 0);
    if (due.length > 0) {
      const questions: DnsQuestion[] = due.map((q) => ({
        name: q.name,
        type: q.type,
        rrclass: CLASS_IN,
        unicastResponse: false,
      }));
      this.#sink.multicast(makeMessage({ questions, answers: this.#knownAnswers(due) }));
      this.packetsSent += 1;
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
        if (remaining * 2 > entry.record.ttl && out.length < MAX_KNOWN_ANSWERS) {
          out.push({ ...entry.record, cacheFlush: false, ttl: remaining });
        }
      }
    }
    return out;
  }
}
