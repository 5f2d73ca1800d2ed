/**
 * How and when the responder's answers leave (RFC 6762 §5.4, §6, §6.7): the
 * responder decides what we own; the replier decides, for one query, which
 * of those records to send, to whom, and when. Legacy resolvers (source port
 * not 5353) get an immediate unicast reply; QU questions for records
 * multicast in the last second get unicast; otherwise a record is multicast
 * at most once per second per interface (250 ms when defending against a
 * probe), unique answers at once and shared ones after 20-120 ms; a shared
 * answer another responder sends first, with a TTL at least ours, is not
 * sent again (§7.4).
 */
import type { Timer } from './clock.js';
import type { MdnsEngine } from './engine.js';
import { TTL } from './engine-options.js';
import type { MdnsInterface } from './interfaces.js';
import { recordKey } from './record-cache.js';
import {
  legacyRecord,
  selectAdditionals,
  selectAnswers,
  selectNegativeAnswers,
} from './responder-answers.js';
import type { OwnedRecord } from './responder-records.js';
import type { PacketSource } from './transport.js';
import { type DnsMessage, type DnsRecord, Flag, MDNS_PORT, makeMessage } from './wire-types.js';

/** §8.1/§9: a probe is defended at most every 250 ms. */
const PROBE_DEFENSE_INTERVAL_MS = 250;

/** The records the responder has announced on an interface. */
export type AnnouncedRecords = (iface: MdnsInterface | undefined) => OwnedRecord[];

interface PendingShared {
  readonly records: Map<string, OwnedRecord>;
  readonly message: DnsMessage;
  readonly timer: Timer;
}

/** Sends a responder's answers, with the RFC's pacing. */
export class Replier {
  readonly #engine: MdnsEngine;
  readonly #announced: AnnouncedRecords;
  readonly #lastMulticast = new Map<string, number>();
  readonly #delayed = new Map<string, PendingShared>();

  constructor(engine: MdnsEngine, announced: AnnouncedRecords) {
    this.#engine = engine;
    this.#announced = announced;
  }

  /** Multicasts a response on one interface and remembers when each record went out. */
  multicast(
    iface: MdnsInterface,
    answers: readonly OwnedRecord[],
    additionals: readonly OwnedRecord[],
  ): void {
    const now = this.#engine.clock.now();
    for (const r of [...answers, ...additionals])
      this.#lastMulticast.set(`${iface.name}|${recordKey(r.record)}`, now);
    this.#engine.send(
      makeMessage({
        flags: Flag.QR | Flag.AA,
        answers: answers.map((r) => r.record),
        additionals: additionals.map((r) => r.record),
      }),
      { kind: 'multicast', interfaceName: iface.name },
    );
  }

  /** Answers one query that arrived on `iface` (undefined when its link is unknown). */
  answer(message: DnsMessage, source: PacketSource, iface: MdnsInterface | undefined): void {
    const mine = this.#announced(iface);
    if (mine.length === 0) return;
    const answers = [...selectAnswers(message, mine), ...selectNegativeAnswers(message, mine)];
    if (answers.length === 0) return;
    const additionals = selectAdditionals(answers, mine, message);
    if (source.port !== MDNS_PORT) {
      // §6.7: a legacy resolver gets a unicast reply echoing its ID and question, TTLs capped at 10 s.
      const reply = makeMessage({
        id: message.id,
        flags: Flag.QR | Flag.AA,
        questions: message.questions,
        answers: answers.map((r) => legacyRecord(r.record, TTL.legacyMax)),
        additionals: additionals.map((r) => legacyRecord(r.record, TTL.legacyMax)),
      });
      this.#engine.send(reply, { kind: 'unicast', address: source.address, port: source.port });
      return;
    }
    if (iface === undefined) return;
    const isProbe = message.authorities.length > 0;
    const limit = isProbe
      ? PROBE_DEFENSE_INTERVAL_MS
      : this.#engine.options.timings.multicastRateLimit;
    const wantsUnicast =
      message.questions.length > 0 && message.questions.every((q) => q.unicastResponse);
    if (wantsUnicast && !isProbe && answers.some((a) => this.#since(iface, a.record) < limit)) {
      // §5.4: recently multicast, so answer the QU question by unicast alone.
      const reply = makeMessage({
        flags: Flag.QR | Flag.AA,
        answers: answers.map((r) => r.record),
        additionals: additionals.map((r) => r.record),
      });
      this.#engine.send(reply, { kind: 'unicast', address: source.address, port: source.port });
      return;
    }
    // §6: no record is multicast twice within a second (250 ms when defending against a probe).
    const fresh = answers.filter((a) => this.#since(iface, a.record) >= limit);
    if (fresh.length === 0) return;
    if (isProbe || wantsUnicast || fresh.every((a) => a.unique)) {
      this.multicast(iface, fresh, additionals);
      return;
    }
    this.#delayShared(iface, fresh, message);
  }

  /**
   * §7.4: another responder multicast `message` on `iface`. Delayed answers it
   * already gave, with a TTL no lower than ours, count as sent by us.
   */
  observeResponse(message: DnsMessage, iface: MdnsInterface | undefined): void {
    const pending = iface === undefined ? undefined : this.#delayed.get(iface.name);
    if (iface === undefined || pending === undefined) return;
    const now = this.#engine.clock.now();
    for (const record of [...message.answers, ...message.additionals]) {
      const key = recordKey(record);
      const ours = pending.records.get(key);
      if (ours === undefined || record.ttl < ours.record.ttl) continue;
      pending.records.delete(key);
      this.#lastMulticast.set(`${iface.name}|${key}`, now);
    }
  }

  /** Cancels delayed answers; for shutdown. */
  close(): void {
    for (const pending of this.#delayed.values()) pending.timer.cancel();
    this.#delayed.clear();
  }

  // §6: shared answers wait 20-120 ms so that answers from several responders do not collide.
  #delayShared(iface: MdnsInterface, fresh: readonly OwnedRecord[], message: DnsMessage): void {
    let pending = this.#delayed.get(iface.name);
    if (pending === undefined) {
      const { sharedAnswerDelayMin: min, sharedAnswerDelayMax: max } = this.#engine.options.timings;
      const delay = min + this.#engine.options.random() * (max - min);
      const timer = this.#engine.clock.setTimer(() => this.#flushDelayed(iface), delay);
      pending = { records: new Map(), message, timer };
      this.#delayed.set(iface.name, pending);
    }
    for (const a of fresh) pending.records.set(recordKey(a.record), a);
  }

  #flushDelayed(iface: MdnsInterface): void {
    const pending = this.#delayed.get(iface.name);
    this.#delayed.delete(iface.name);
    if (pending === undefined) return;
    const mine = this.#announced(iface);
    const live = new Set(mine.map((r) => recordKey(r.record)));
    const { multicastRateLimit } = this.#engine.options.timings;
    const answers = [...pending.records.values()].filter(
      (a) => live.has(recordKey(a.record)) && this.#since(iface, a.record) >= multicastRateLimit,
    );
    if (answers.length === 0) return;
    this.multicast(iface, answers, selectAdditionals(answers, mine, pending.message));
  }

  #since(iface: MdnsInterface, record: DnsRecord): number {
    const last = this.#lastMulticast.get(`${iface.name}|${recordKey(record)}`);
    return last === undefined ? Number.POSITIVE_INFINITY : this.#engine.clock.now() - last;
  }
}
