/**
 * Encoded unicast replies, kept for the next query that asks the same. A
 * query without known answers (§7.1) or authorities gets the same records
 * while what we announce stays the same (the same record list: the
 * responder builds it anew on any change), so the packing and encoding of
 * its reply (§6.7, §17) is done once. Under a steady query load, that work
 * was most of the responder's CPU. Only the bytes are kept: whether and how
 * to answer (the §6 rate limits, §5.4 unicast) is decided for every query.
 */

import type { DnsMessage } from '../dns/wire-types.js';
import type { PayloadLimits } from './link-mtu.js';
import type { OwnedRecord } from './responder-records.js';

/** Held replies: few questions are asked over and over; a flood of new ones only cycles this. */
const MAX_REPLIES = 256;

interface Reply {
  readonly mine: readonly OwnedRecord[];
  readonly limits: PayloadLimits;
  readonly packets: readonly Buffer[];
}

/**
 * The key of a query's reply of one kind on one link, or undefined when the
 * reply depends on more than its questions (known answers, a probe).
 */
export function replyKey(
  kind: string,
  interfaceName: string | undefined,
  message: DnsMessage,
): string | undefined {
  if (message.answers.length > 0 || message.authorities.length > 0) return undefined;
  let key = `${kind}\u0000${interfaceName ?? ''}`;
  // The exact name, not its comparison key: a legacy reply echoes the question as asked.
  for (const q of message.questions)
    key += `\u0000${q.name}\u0000${q.type}\u0000${q.rrclass}\u0000${q.unicastResponse ? 1 : 0}`;
  return key;
}

/** The encoded replies of recent queries. */
export class ReplyMemo {
  readonly #replies = new Map<string, Reply>();

  /** The packets of `key`'s reply, if they were made from the same records and limits. */
  get(
    key: string,
    mine: readonly OwnedRecord[],
    limits: PayloadLimits,
  ): readonly Buffer[] | undefined {
    const reply = this.#replies.get(key);
    if (reply === undefined) return undefined;
    if (reply.mine === mine && reply.limits === limits) return reply.packets;
    this.#replies.delete(key);
    return undefined;
  }

  /** Keeps `packets` as `key`'s reply; the oldest reply goes when the memo is full. */
  set(
    key: string,
    mine: readonly OwnedRecord[],
    limits: PayloadLimits,
    packets: readonly Buffer[],
  ): void {
    if (!this.#replies.has(key) && this.#replies.size >= MAX_REPLIES) {
      const oldest = this.#replies.keys().next().value;
      if (oldest !== undefined) this.#replies.delete(oldest);
    }
    this.#replies.set(key, { mine, limits, packets });
  }

  clear(): void {
    this.#replies.clear();
  }
}
