/**
 * How and when the responder's answers leave (RFC 6762 §5.4, §6, §6.7): the
 * responder decides what we own; the replier decides, for one query, which
 * of those records to send, to whom, and when. Legacy resolvers (source port
 * not 5353) get an immediate unicast reply; QU questions for records
 * multicast in the last second get unicast; otherwise a record is multicast
 * at most once per second per interface (250 ms when defending against a
 * probe), unique answers at once and shared ones after 20-120 ms; a shared
 * answer another responder sends first, with a TTL at least ours, is not
 * sent again (§7.4). A query with the TC bit is held 400-500 ms while its
 * known-answer continuation packets arrive (§7.2). A peer's goodbye for a
 * record we own is answered at once (§10.1). Every response is split to fit
 * the link (§17, response-packer.ts).
 */
// Imported, not the global (a getter in Node): a legacy reply allocates one per query.
import { Buffer } from 'node:buffer';
import { debuglog } from 'node:util';
import type { Timer } from '../clock.js';
import { encodePacket } from '../dns/packet-codec.js';
import {
  type DnsMessage,
  type DnsRecord,
  Flag,
  MDNS_PORT,
  makeMessage,
} from '../dns/wire-types.js';
import type { MdnsEngine } from './engine.js';
import { TTL } from './engine-options.js';
import type { MdnsInterface } from './interfaces.js';
import { linkMtu, type MtuReader, type PayloadLimits, payloadLimits } from './link-mtu.js';
import { anySentBefore, anySentWithin, MulticastTimes, since } from './multicast-times.js';
import { recordKey } from './record-cache.js';
import { ReplyMemo } from './reply-memo.js';
import { legacyRecord, ownKey, selectAdditionals } from './responder-answers.js';
import type { OwnedRecord } from './responder-records.js';
import { type AdditionalsFor, packResponse } from './response-packer.js';
import type { PacketSource } from './transport.js';

const log = debuglog('cfstream:mdns');
/** §8.1/§9: a probe is defended at most every 250 ms. */
const PROBE_DEFENSE_INTERVAL_MS = 250;
/** §7.2: how long a truncated query waits for the rest of its known answers. */
const TRUNCATED_WAIT_MIN_MS = 400;
const TRUNCATED_WAIT_MAX_MS = 500;
/** Caps on what truncated queries may hold, so a flood of them cannot grow memory. */
const MAX_HELD_QUERIES = 64;
const MAX_HELD_KNOWN_ANSWERS = 512;
/** How long a link's MTU, once read, is trusted (the engine reads its links as often, §13). */
const MTU_TTL_MS = 5000;

// A reply that cannot be encoded (engine.send would refuse it the same way) is not sent.
function encoded(message: DnsMessage): Buffer[] {
  try {
    return [encodePacket(message)];
  } catch (error) {
    log('cannot encode a reply: %s', (error as Error).message);
    return [];
  }
}

/** The records the responder has announced on an interface. */
export type AnnouncedRecords = (iface: MdnsInterface | undefined) => OwnedRecord[];

interface HeldQuery {
  readonly message: DnsMessage;
  readonly source: PacketSource;
  readonly iface: MdnsInterface | undefined;
  readonly known: DnsRecord[];
  readonly timer: Timer;
}

interface PendingShared {
  readonly records: Map<string, OwnedRecord>;
  readonly message: DnsMessage;
  readonly timer: Timer;
}

/** Sends a responder's answers, with the RFC's pacing. */
export class Replier {
  readonly #engine: MdnsEngine;
  readonly #announced: AnnouncedRecords;
  readonly #lastMulticast = new MulticastTimes();
  readonly #delayed = new Map<string, PendingShared>();
  // Goodbye rescues (§10.1) waiting for the 250 ms per-record limit, by interface.
  readonly #rescues = new Map<string, { records: Map<string, OwnedRecord>; timer: Timer }>();
  // Truncated queries waiting for their known-answer continuations, by source address and port.
  readonly #held = new Map<string, HeldQuery>();
  readonly #mtu: MtuReader;
  readonly #linkLimits = new Map<string, { readonly limits: PayloadLimits; readonly at: number }>();
  readonly #memo = new ReplyMemo();

  /** `mtu` reads a link's MTU (sysfs on Linux); tests give their own. */
  constructor(engine: MdnsEngine, announced: AnnouncedRecords, mtu: MtuReader = linkMtu) {
    this.#engine = engine;
    this.#announced = announced;
    this.#mtu = mtu;
  }

  /**
   * Multicasts a response on one interface, in as many packets as the link
   * needs, and remembers when each record went out. `additionalsFor` gives
   * the additional records of the answers a packet carries.
   */
  multicast(
    iface: MdnsInterface,
    answers: readonly OwnedRecord[],
    additionalsFor: AdditionalsFor = () => [],
  ): void {
    const now = this.#engine.clock.now();
    const sent = this.#lastMulticast.on(iface);
    for (const part of packResponse(answers, additionalsFor, this.#limits(iface))) {
      for (const r of [...part.answers, ...part.additionals]) sent.set(ownKey(r.record), now);
      this.#engine.send(part.message, { kind: 'multicast', interfaceName: iface.name });
    }
  }

  // What one datagram may carry on `iface` (undefined: a link we do not know).
  #limits(iface: MdnsInterface | undefined, now = this.#engine.clock.now()): PayloadLimits {
    if (iface === undefined) return payloadLimits(undefined);
    const known = this.#linkLimits.get(iface.name);
    if (known !== undefined && now - known.at < MTU_TTL_MS) return known.limits;
    const read = payloadLimits(this.#mtu(iface.name));
    // While the link's limits stay the same, so does the object: the reply memo keeps its
    // replies by it, and a new one every 5 s had them packed and encoded again.
    const limits =
      known !== undefined && known.limits.normal === read.normal && known.limits.lone === read.lone
        ? known.limits
        : read;
    this.#linkLimits.set(iface.name, { limits, at: now });
    return limits;
  }

  /** Answers one query that arrived on `iface` (undefined when its link is unknown). */
  answer(message: DnsMessage, source: PacketSource, iface: MdnsInterface | undefined): void {
    // Most queries are whole and nothing is held: no sender key to build for them.
    const mayHold = this.#held.size > 0 || (message.flags & Flag.TC) !== 0;
    if (mayHold && source.port === MDNS_PORT && this.#holdTruncated(message, source, iface)) return;
    this.#answerNow(message, source, iface);
  }

  /**
   * §7.2: a query with the TC bit is held 400-500 ms, and the known answers of
   * the packets without questions that follow from the same sender are added
   * to it. True when `message` was taken (held, or added to a held query).
   */
  #holdTruncated(
    message: DnsMessage,
    source: PacketSource,
    iface: MdnsInterface | undefined,
  ): boolean {
    const key = `${source.address}|${source.port}`;
    const held = this.#held.get(key);
    if (held !== undefined && message.questions.length === 0) {
      const room = MAX_HELD_KNOWN_ANSWERS - held.known.length;
      held.known.push(...message.answers.slice(0, Math.max(0, room)));
      return true;
    }
    if ((message.flags & Flag.TC) === 0 || message.questions.length === 0) return false;
    // Past the cap a truncated query is answered at once, as if it were whole.
    if (held === undefined && this.#held.size >= MAX_HELD_QUERIES) return false;
    if (held !== undefined) {
      // A new truncated query from the same sender: the old one is answered as it stands.
      held.timer.cancel();
      this.#releaseHeld(key);
    }
    const { clock, random } = this.#engine.options;
    const wait = TRUNCATED_WAIT_MIN_MS + random() * (TRUNCATED_WAIT_MAX_MS - TRUNCATED_WAIT_MIN_MS);
    const timer = clock.setTimer(() => this.#releaseHeld(key), wait);
    this.#held.set(key, { message, source, iface, known: [...message.answers], timer });
    return true;
  }

  #releaseHeld(key: string): void {
    const held = this.#held.get(key);
    this.#held.delete(key);
    if (held === undefined) return;
    // §6: the 400-500 ms wait replaces the 20-120 ms one of shared answers.
    this.#answerNow({ ...held.message, answers: held.known }, held.source, held.iface, true);
  }

  #answerNow(
    message: DnsMessage,
    source: PacketSource,
    iface: MdnsInterface | undefined,
    waited = false,
  ): void {
    const mine = this.#announced(iface);
    if (mine.length === 0) return;
    const answers = this.#memo.answers(message, mine);
    if (answers.length === 0) return;
    const now = this.#engine.clock.now();
    if (source.port !== MDNS_PORT) {
      this.#answerLegacy(message, source, iface, mine, answers, now);
      return;
    }
    if (iface === undefined) return;
    const isProbe = message.authorities.length > 0;
    const limit = isProbe
      ? PROBE_DEFENSE_INTERVAL_MS
      : this.#engine.options.timings.multicastRateLimit;
    const sent = this.#lastMulticast.on(iface);
    if (!isProbe && wantsUnicast(message) && anySentWithin(answers, sent, now, limit)) {
      // §5.4: recently multicast, so answer the QU question by unicast alone.
      const limits = this.#limits(iface, now);
      let packets = this.#memo.replies(message, mine, limits, 'qu', iface.name);
      if (packets === undefined) {
        packets = packResponse(answers, additionalsOf(mine, message), limits).flatMap((p) =>
          encoded(p.message),
        );
        this.#memo.keep(message, mine, limits, 'qu', iface.name, packets);
      }
      for (const bytes of packets)
        this.#engine.sendUnicastEncoded(bytes, source.address, source.port);
      return;
    }
    // §6: no record is multicast twice within a second (250 ms when defending against a probe).
    // Under load most queries stop here: every answer went out within the second.
    if (!anySentBefore(answers, sent, now, limit)) return;
    const fresh = answers.filter((a) => since(sent, a.record, now) >= limit);
    if (waited || isProbe || wantsUnicast(message) || fresh.every((a) => a.unique)) {
      this.multicast(iface, fresh, additionalsOf(mine, message));
      return;
    }
    this.#delayShared(iface, fresh, message);
  }

  /**
   * §6.7: a legacy resolver gets one unicast reply echoing its ID and
   * questions, TTLs capped at 10 s. It reads only the first reply, so what
   * does not fit is left out and the TC bit says so (RFC 1035 §4.1.1).
   */
  #answerLegacy(
    message: DnsMessage,
    source: PacketSource,
    iface: MdnsInterface | undefined,
    mine: readonly OwnedRecord[],
    answers: readonly OwnedRecord[],
    now: number,
  ): void {
    const limits = this.#limits(iface, now);
    const link = iface?.name ?? '';
    let [reply] = this.#memo.replies(message, mine, limits, 'legacy', link) ?? [];
    if (reply === undefined) {
      const made = this.#legacyReply(message, limits, answers, additionalsOf(mine, message));
      if (made === undefined) return;
      [reply] = encoded(made);
      if (reply === undefined) return;
      this.#memo.keep(message, mine, limits, 'legacy', link, [reply]);
    }
    // The same reply to another resolver, or its next query: only the ID differs. A copy: the
    // kept bytes may still be queued for an earlier send.
    const bytes = Buffer.allocUnsafe(reply.length);
    reply.copy(bytes);
    bytes.writeUInt16BE(message.id, 0);
    this.#engine.sendUnicastEncoded(bytes, source.address, source.port);
  }

  #legacyReply(
    message: DnsMessage,
    limits: PayloadLimits,
    answers: readonly OwnedRecord[],
    additionalsFor: AdditionalsFor,
  ): DnsMessage | undefined {
    const legacy = (r: OwnedRecord): OwnedRecord => ({
      ...r,
      record: legacyRecord(r.record, TTL.legacyMax),
    });
    const base = makeMessage({
      id: message.id,
      flags: Flag.QR | Flag.AA,
      questions: message.questions,
    });
    const parts = packResponse(
      answers.map(legacy),
      (some) => additionalsFor(some).map(legacy),
      limits,
      base,
      1,
    );
    const [first] = parts;
    if (first === undefined) return undefined;
    return first.answers.length < answers.length
      ? { ...first.message, flags: first.message.flags | Flag.TC }
      : first.message;
  }

  /**
   * §7.4: another responder multicast `message` on `iface`. Delayed answers it
   * already gave, with a TTL no lower than ours, count as sent by us.
   */
  observeResponse(message: DnsMessage, iface: MdnsInterface | undefined): void {
    if (iface !== undefined) this.#rescueGoodbyes(message, iface);
    const pending = iface === undefined ? undefined : this.#delayed.get(iface.name);
    if (iface === undefined || pending === undefined) return;
    const now = this.#engine.clock.now();
    const sent = this.#lastMulticast.on(iface);
    for (const record of [...message.answers, ...message.additionals]) {
      const key = recordKey(record);
      const ours = pending.records.get(key);
      if (ours === undefined || record.ttl < ours.record.ttl) continue;
      pending.records.delete(key);
      sent.set(key, now);
    }
  }

  /**
   * §10.1, §6.6: a peer said goodbye (TTL 0) for records we still own, and
   * caches drop them one second later unless someone answers: multicast them
   * again now. A record multicast in the last 250 ms waits out the rest of
   * that time, so a stream of forged goodbyes cannot make us flood the link.
   * Our own goodbyes loop back only for records we no longer own.
   */
  #rescueGoodbyes(message: DnsMessage, iface: MdnsInterface): void {
    const goodbyes = message.answers.filter((r) => r.ttl === 0);
    if (goodbyes.length === 0) return;
    const keys = new Set(goodbyes.map(recordKey));
    const ours = this.#announced(iface).filter((r) => keys.has(recordKey(r.record)));
    if (ours.length === 0) return;
    log('goodbye from a peer for %d of our records; announcing them again', ours.length);
    this.#rescue(iface, ours);
  }

  #rescue(iface: MdnsInterface, records: readonly OwnedRecord[]): void {
    const now = records.filter((r) => this.#since(iface, r.record) >= PROBE_DEFENSE_INTERVAL_MS);
    if (now.length > 0) this.multicast(iface, now);
    const later = records.filter((r) => !now.includes(r));
    if (later.length === 0) return;
    let pending = this.#rescues.get(iface.name);
    if (pending === undefined) {
      const wait = Math.max(
        0,
        ...later.map((r) => PROBE_DEFENSE_INTERVAL_MS - this.#since(iface, r.record)),
      );
      const timer = this.#engine.clock.setTimer(() => this.#flushRescues(iface), wait);
      pending = { records: new Map(), timer };
      this.#rescues.set(iface.name, pending);
    }
    for (const r of later) pending.records.set(recordKey(r.record), r);
  }

  #flushRescues(iface: MdnsInterface): void {
    const pending = this.#rescues.get(iface.name);
    this.#rescues.delete(iface.name);
    if (pending === undefined) return;
    // Only what is still ours: a registration may have stopped meanwhile.
    const live = new Set(this.#announced(iface).map((r) => recordKey(r.record)));
    const records = [...pending.records.values()].filter((r) => live.has(recordKey(r.record)));
    if (records.length > 0) this.multicast(iface, records);
  }

  /** Cancels delayed answers, rescues and held queries; for shutdown. */
  close(): void {
    for (const pending of this.#delayed.values()) pending.timer.cancel();
    this.#delayed.clear();
    for (const pending of this.#rescues.values()) pending.timer.cancel();
    this.#rescues.clear();
    for (const held of this.#held.values()) held.timer.cancel();
    this.#held.clear();
    this.#memo.clear();
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
    this.multicast(iface, answers, (some) => selectAdditionals(some, mine, pending.message));
  }

  #since(iface: MdnsInterface, record: DnsRecord): number {
    return since(this.#lastMulticast.on(iface), record, this.#engine.clock.now());
  }
}

/** The additional records (RFC 6763 §12) of some answers to `message`, from `mine`. */
function additionalsOf(mine: readonly OwnedRecord[], message: DnsMessage): AdditionalsFor {
  return (some) => selectAdditionals(some, mine, message);
}

/** §5.4: a query whose every question has the QU bit wants unicast. */
function wantsUnicast(message: DnsMessage): boolean {
  return message.questions.length > 0 && message.questions.every((q) => q.unicastResponse);
}
