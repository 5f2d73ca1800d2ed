/**
 * The packets of one round of queries, within the §17 limit (RFC 6762).
 * Questions due together share packets (§5.3 allows many questions per
 * query), each packet taking as many questions as fit *with their known
 * answers* (§7.1). Only a question whose known answers do not fit in its
 * packet makes that packet truncated: §7.2 has the querier send "a question
 * and as many Known-Answer records as will fit", set TC, and follow "immediately"
 * with packets that carry no questions and the rest of the list, TC on each
 * but the last. A packet whose questions came with all their known answers
 * is complete and carries no TC. So a responder holding a truncated query
 * (400-500 ms, §7.2) collects the continuations of exactly the questions
 * they belong to: they follow it from the same address before any other
 * packet of ours with questions.
 */
import { debuglog } from 'node:util';
import { nameKey } from '../dns/dns-name.js';
import {
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  Flag,
  makeMessage,
} from '../dns/wire-types.js';
import type { PayloadLimits } from './link-mtu.js';
import {
  nameBound,
  PacketBudget,
  RECORD_FIXED,
  recordSizeBound,
  suffixes,
} from './packet-budget.js';

const log = debuglog('cfstream:mdns');
/** RFC 1035 §4.1.1: the header. */
const HEADER = 12;
/** RFC 1035 §4.1.2: QTYPE and QCLASS. */
const QUESTION_FIXED = 4;

/** One question and the answers we already hold for it (§7.1). */
export interface AskedQuestion {
  readonly question: DnsQuestion;
  readonly known: readonly DnsRecord[];
}

/**
 * An upper bound on the size of a packet of questions and their known
 * answers, found without encoding. On the wire every question precedes
 * every answer, so a question may point only to another question's name
 * (RFC 1035 §4.1.4) and an answer to any name of the packet before it.
 */
class GroupBound {
  #bytes = HEADER;
  readonly #questionNames = new Set<string>();
  readonly #answerNames = new Set<string>();

  /** What `item` adds, and the name suffixes it writes, without adding it. */
  cost(item: AskedQuestion): { bytes: number; questions: Set<string>; answers: Set<string> } {
    const questions = new Set<string>();
    const answers = new Set<string>();
    const inQuestions = (key: string): boolean =>
      this.#questionNames.has(key) || questions.has(key);
    const anywhere = (key: string): boolean =>
      inQuestions(key) || this.#answerNames.has(key) || answers.has(key);
    // At most what `name` takes: a pointer after the labels before its longest written suffix.
    const bound = (name: string, written: (key: string) => boolean, into: Set<string>): number => {
      let size = nameBound(name);
      let found = false;
      for (const [suffix, before] of suffixes(name)) {
        const key = nameKey(suffix);
        if (!found && written(key)) {
          size = Buffer.byteLength(before, 'utf8') + 2;
          found = true;
        }
        if (!found) into.add(key);
      }
      return size;
    };
    let bytes = bound(item.question.name, inQuestions, questions) + QUESTION_FIXED;
    for (const record of item.known) {
      const data = record.data;
      const rdata =
        data.type === 'PTR'
          ? bound(data.target, anywhere, answers)
          : data.type === 'SRV'
            ? 6 + bound(data.target, anywhere, answers)
            : recordSizeBound(record) - nameBound(record.name) - RECORD_FIXED;
      bytes += bound(record.name, anywhere, answers) + RECORD_FIXED + rdata;
    }
    return { bytes, questions, answers };
  }

  /** The bound with `item` added, if it stays within `limit`; otherwise nothing changes. */
  tryAdd(item: AskedQuestion, limit: number, force: boolean): boolean {
    const cost = this.cost(item);
    if (!force && this.#bytes + cost.bytes > limit) return false;
    this.#bytes += cost.bytes;
    for (const key of cost.questions) this.#questionNames.add(key);
    for (const key of cost.answers) this.#answerNames.add(key);
    return true;
  }
}

/**
 * The questions and their known answers in packets (§7.2): the questions
 * and the first answers, then as many continuation packets as the rest
 * need, every packet but the last with TC. A known answer too large for an
 * MTU-sized packet goes alone (at most 9000 bytes, §17); one too large even
 * for that is left out, which only means a responder may send it again.
 */
function truncatedQuery(
  questions: readonly DnsQuestion[],
  known: readonly DnsRecord[],
  limits: PayloadLimits,
): DnsMessage[] {
  const first = new PacketBudget(makeMessage({ questions }), limits.normal);
  const packets = [first];
  let current = first;
  for (const record of known) {
    if (current.add(record, 'answers')) continue;
    const next = new PacketBudget(makeMessage({}), limits.normal);
    if (next.add(record, 'answers')) {
      packets.push(next);
      current = next;
      continue;
    }
    const alone = new PacketBudget(makeMessage({}), limits.lone);
    if (alone.add(record, 'answers')) packets.push(alone);
    else log('known answer %s of %s too large for any datagram', record.data.type, record.name);
  }
  return packets.map((p, i) =>
    i < packets.length - 1 ? withTruncation(p.message()) : p.message(),
  );
}

function withTruncation(message: DnsMessage): DnsMessage {
  return { ...message, flags: message.flags | Flag.TC };
}

/**
 * The datagrams of one round of queries, in sending order: each packet with
 * questions carries their known answers and, only when they did not all fit,
 * is followed by its TC continuations. No packet exceeds `limits.normal`
 * bytes of DNS message, except a known answer too large for one, alone.
 */
export function packQuery(items: readonly AskedQuestion[], limits: PayloadLimits): DnsMessage[] {
  const out: DnsMessage[] = [];
  let group: AskedQuestion[] = [];
  let bound = new GroupBound();
  let overflows = false;
  const flush = (): void => {
    if (group.length === 0) return;
    const questions = group.map((item) => item.question);
    const known = group.flatMap((item) => item.known);
    // Within the bound the packet fits as it stands: no need to encode it to find out.
    if (overflows) out.push(...truncatedQuery(questions, known, limits));
    else out.push(makeMessage({ questions, answers: known }));
    group = [];
    bound = new GroupBound();
    overflows = false;
  };
  for (const item of items) {
    if (!bound.tryAdd(item, limits.normal, false)) {
      // A question that does not fit with its known answers even alone starts its own packet,
      // and its answers spill into continuations (§7.2).
      flush();
      overflows = !bound.tryAdd(item, limits.normal, false);
      if (overflows) bound.tryAdd(item, limits.normal, true);
    }
    group.push(item);
  }
  flush();
  return out;
}
