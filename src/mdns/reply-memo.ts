/**
 * What the responder worked out for a plain query (no known answers, §7.1;
 * no authorities, so no probe), kept for the next query with the same
 * questions: the records that answer it (selectAnswers and its NSECs, §6.1)
 * and its encoded unicast replies (§5.4 QU, §6.7 legacy, packed per §17).
 * Under a steady query load, that work was most of the responder's CPU.
 *
 * Kept by the questions array itself, not by its text: the engine's
 * QueryMemo hands a repeated query the same array, so a lookup is one
 * WeakMap get and nothing is built per query. A query decoded afresh simply
 * finds nothing and is worked out as before. What is kept is valid while
 * what we announce is the same list object (the responder builds a new one
 * on any change of a record, TXT, name, state or interface), and replies
 * while the link's limits are the same object too. Only the answers and
 * bytes are kept: whether and how to answer (the §6 rate limit, §5.4
 * unicast) is decided for every query.
 */

import type { DnsMessage, DnsQuestion } from '../dns/wire-types.js';
import type { PayloadLimits } from './link-mtu.js';
import { selectAnswers, selectNegativeAnswers } from './responder-answers.js';
import type { OwnedRecord } from './responder-records.js';

/** A unicast reply's kind: §5.4 (QU, port 5353) or §6.7 (legacy). */
export type ReplyKind = 'qu' | 'legacy';

interface LinkReplies {
  readonly limits: PayloadLimits;
  qu?: readonly Buffer[];
  legacy?: readonly Buffer[];
}

interface Worked {
  readonly mine: readonly OwnedRecord[];
  readonly answers: readonly OwnedRecord[];
  /** Encoded replies by interface name ('' for an unknown link). */
  readonly replies: Map<string, LinkReplies>;
}

/** True when a query's answers depend on its questions alone. */
const isPlain = (message: DnsMessage): boolean =>
  message.answers.length === 0 && message.authorities.length === 0;

const select = (message: DnsMessage, mine: readonly OwnedRecord[]): OwnedRecord[] => [
  ...selectAnswers(message, mine),
  ...selectNegativeAnswers(message, mine),
];

/** The answers and encoded replies of recent plain queries. */
export class ReplyMemo {
  // Bounded by the queries alive: the engine keeps at most a few hundred decoded ones.
  #worked = new WeakMap<readonly DnsQuestion[], Worked>();

  /**
   * The records from `mine` that answer `message` (selectAnswers, then
   * selectNegativeAnswers), kept for the next plain query with the same
   * questions array.
   */
  answers(message: DnsMessage, mine: readonly OwnedRecord[]): readonly OwnedRecord[] {
    if (!isPlain(message)) return select(message, mine);
    const worked = this.#worked.get(message.questions);
    if (worked !== undefined && worked.mine === mine) return worked.answers;
    const answers = select(message, mine);
    this.#worked.set(message.questions, { mine, answers, replies: new Map() });
    return answers;
  }

  /** The packets of a plain query's `kind` reply on `link`, if made from `mine` and `limits`. */
  replies(
    message: DnsMessage,
    mine: readonly OwnedRecord[],
    limits: PayloadLimits,
    kind: ReplyKind,
    link: string,
  ): readonly Buffer[] | undefined {
    if (!isPlain(message)) return undefined;
    const worked = this.#worked.get(message.questions);
    if (worked === undefined || worked.mine !== mine) return undefined;
    const replies = worked.replies.get(link);
    return replies?.limits === limits ? replies[kind] : undefined;
  }

  /** Keeps `packets` as a plain query's `kind` reply on `link` (after answers() for it). */
  keep(
    message: DnsMessage,
    mine: readonly OwnedRecord[],
    limits: PayloadLimits,
    kind: ReplyKind,
    link: string,
    packets: readonly Buffer[],
  ): void {
    if (!isPlain(message)) return;
    const worked = this.#worked.get(message.questions);
    if (worked === undefined || worked.mine !== mine) return;
    let replies = worked.replies.get(link);
    if (replies?.limits !== limits) {
      replies = { limits };
      worked.replies.set(link, replies);
    }
    replies[kind] = packets;
  }

  clear(): void {
    this.#worked = new WeakMap();
  }
}
