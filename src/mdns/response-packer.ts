/**
 * Splits one response over as many datagrams as it needs (RFC 6762 §17), so
 * that no packet exceeds the link's limit; a 300-instance PTR answer is a
 * handful of packets, not one 32 KB datagram every receiver drops. The rules:
 * answers come first, in order, each packet taking as many as fit; then
 * each packet takes, while they fit, the additional records that support
 * its own answers (RFC 6763 §12), each additional at most once per
 * response. Additionals are a courtesy and never get a packet of their own.
 * A record too big for an MTU-sized packet goes alone in a datagram of at
 * most 9000 bytes (§17); a record too big even for that is not sent.
 */
import { debuglog } from 'node:util';
import type { DnsMessage } from '../dns/wire-types.js';
import { Flag, makeMessage } from '../dns/wire-types.js';
import type { PayloadLimits } from './link-mtu.js';
import { PacketBudget } from './packet-budget.js';
import { recordKey } from './record-cache.js';
import type { OwnedRecord } from './responder-records.js';

const log = debuglog('cfstream:mdns');

/** One datagram's share of a response. */
export interface ResponsePart {
  readonly answers: readonly OwnedRecord[];
  readonly additionals: readonly OwnedRecord[];
  /** The message to send: the base's header and questions with these records. */
  readonly message: DnsMessage;
}

/** The additional records that support some answers. */
export type AdditionalsFor = (answers: readonly OwnedRecord[]) => readonly OwnedRecord[];

interface Open {
  readonly budget: PacketBudget;
  readonly answers: OwnedRecord[];
  readonly lone: boolean;
}

/**
 * The datagrams of a response. `base` supplies ID, flags and questions
 * (each part repeats the questions, as a legacy reply must, §6.7). Past
 * `maxPackets`, the answers left are not packed (a legacy reply is one packet).
 */
export function packResponse(
  answers: readonly OwnedRecord[],
  additionalsFor: AdditionalsFor,
  limits: PayloadLimits,
  base: DnsMessage = makeMessage({ flags: Flag.QR | Flag.AA }),
  maxPackets = Number.POSITIVE_INFINITY,
): ResponsePart[] {
  const packets: Open[] = [];
  let current: Open | undefined;
  const open = (limit: number, lone: boolean): Open => ({
    budget: new PacketBudget(base, limit),
    answers: [],
    lone,
  });
  const tryIn = (packet: Open, answer: OwnedRecord): boolean => {
    if (!packet.budget.add(answer.record, 'answers')) return false;
    packet.answers.push(answer);
    return true;
  };
  for (const answer of answers) {
    if (current !== undefined && tryIn(current, answer)) continue;
    if (packets.length >= maxPackets) break;
    const fresh = open(limits.normal, false);
    if (tryIn(fresh, answer)) {
      current = fresh;
      packets.push(fresh);
      continue;
    }
    // Too big for an MTU-sized packet even alone: alone in a fragmented one (§17), if it fits
    // that. The packet being filled stays open for the answers after it.
    const alone = open(limits.lone, true);
    if (tryIn(alone, answer)) packets.push(alone);
    else
      log(
        '%s record of %s too large for any datagram',
        answer.record.data.type,
        answer.record.name,
      );
  }
  const placed = new Set(answers.map((a) => recordKey(a.record)));
  const parts: ResponsePart[] = [];
  for (const packet of packets) {
    const additionals: OwnedRecord[] = [];
    if (!packet.lone) {
      for (const extra of additionalsFor(packet.answers)) {
        const key = recordKey(extra.record);
        if (placed.has(key) || !packet.budget.add(extra.record, 'additionals')) continue;
        placed.add(key);
        additionals.push(extra);
      }
    }
    parts.push({ answers: packet.answers, additionals, message: packet.budget.message() });
  }
  return parts;
}
