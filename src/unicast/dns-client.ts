/**
 * Asks the configured servers one question at a time, through the answer
 * cache (concurrent identical questions share one exchange): the first server that answers decides (SERVFAIL, REFUSED and silence
 * move on to the next, RFC 1035 §7.2), NOERROR and NXDOMAIN are cached with
 * their TTLs (RFC 2308 §5 for negative answers), DNS-SD names
 * point at their records directly (RFC 6763 §4-6), so aliases are not followed.
 */

import type { CancelSignal } from '../abort.js';
import { nameKey } from '../dns/dns-name.js';
import { Opcode, Rcode, rcodeOf } from '../dns/wire-extra.js';
import { type DnsRecord, typeCode } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { AnswerCache, type CachedAnswer, questionKey } from './answer-cache.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { type Answer, describeServer, exchangeWith } from './exchange.js';
import { buildQuery, newMessageId, type ServerAddress } from './exchange-core.js';
import { SharedQueries } from './shared-query.js';
import { rcodeError } from './unicast-errors.js';

/** A records answer or a negative one, with the server that gave it. */
export type LookupResult = CachedAnswer & { readonly server?: ServerAddress };

let cache: AnswerCache | undefined;
let queries = new SharedQueries<LookupResult>();
let cacheConfig: UnicastConfig | undefined;

/** The shared cache (a new configuration starts a new one). */
export function answerCache(config = unicastConfig()): AnswerCache {
  if (cache === undefined || cacheConfig !== config) {
    cache = new AnswerCache(config.clock);
    queries = new SharedQueries<LookupResult>();
    cacheConfig = config;
  }
  return cache;
}

/** The questions in flight under the configuration in force (for tests). */
export function queriesInFlight(config = unicastConfig()): number {
  answerCache(config);
  return queries.size;
}

/** Forgets the cached answer for (name, type) and stops sharing the question in flight, so the next lookup asks the server. */
export function forgetAnswer(name: string, type: number, config = unicastConfig()): void {
  answerCache(config).forget(name, type);
  queries.detach(questionKey(name, type));
}

/** The records of `type` owned by `name` in an answer section. */
export function recordsAt(answers: readonly DnsRecord[], name: string, type: number): DnsRecord[] {
  // The owner's key only for a record whose name is not spelt as asked (a server may change case).
  let owner: string | undefined;
  const found: DnsRecord[] = [];
  for (const r of answers) {
    if (typeCode(r.data) !== type) continue;
    if (r.name === name || nameKey(r.name) === (owner ??= nameKey(name))) found.push(r);
  }
  return found;
}

/** The negative TTL of an answer (RFC 2308 §5: min(SOA TTL, SOA MINIMUM) of the authority SOA) and its zone. */
function negativeOf(answer: Answer): { ttl: number; zone?: string } {
  for (const placed of answer.placed) {
    if (placed.soa !== undefined && answer.message.authorities.includes(placed.record))
      return { ttl: Math.min(placed.record.ttl, placed.soa.minimum), zone: placed.record.name };
  }
  return { ttl: 0 };
}

/** Sends one query to the servers in turn until one answers with NOERROR or NXDOMAIN. */
export async function queryServers(
  name: string,
  type: number,
  options: { signal: CancelSignal; deadline: number; config?: UnicastConfig },
): Promise<Answer> {
  const config = options.config ?? unicastConfig();
  const { servers } = config;
  let lastError: unknown;
  // Two rounds over the servers: a lost datagram gets a second chance (RFC 1035 §4.2.1).
  for (let i = 0; i < 2 * servers.length; i++) {
    const server = servers[i % servers.length] as ServerAddress;
    const left = options.deadline - Date.now();
    if (left <= 0) break;
    const id = newMessageId();
    try {
      const answer = await exchangeWith(
        server,
        buildQuery(id, name, type),
        {
          id,
          opcode: Opcode.QUERY,
          question: { name, type, rrclass: 1 },
          server,
        },
        { signal: options.signal, timeoutMs: Math.min(left, config.timings.queryTimeoutMs) },
      );
      const rcode = rcodeOf(answer.message.flags);
      if (rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN) return answer;
      lastError = rcodeError(rcode, `query for ${name} (type ${type})`, describeServer(server));
    } catch (error) {
      if (options.signal.aborted) throw error;
      lastError = error;
    }
  }
  throw (
    lastError ??
    new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.BadArgument,
      `query for ${name}: no DNS server is configured (configureUnicastDNS servers, CFSTREAM_DNS_SERVERS or --dns-server)`,
    )
  );
}

type LookupOptions = {
  signal: CancelSignal;
  deadline: number;
  fresh?: boolean;
  config?: UnicastConfig;
};

/**
 * The answer for (name, type): from the cache when it holds one (unless
 * `fresh`), else from the servers (shared with the callers asking the same
 * now), then cached. Not async, and the common case first: a caller that
 * starts the question gets the shared question's own wait, with no wrapper
 * (its failure is final: only a caller that joined someone else's question
 * may ask again, below).
 */
export function lookup(name: string, type: number, options: LookupOptions): Promise<LookupResult> {
  try {
    const config = options.config ?? unicastConfig();
    const store = answerCache(config);
    const fresh = options.fresh === true;
    const key = questionKey(name, type);
    if (!fresh) {
      const hit = store.get(name, type, key);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    const start = (signal: CancelSignal): Promise<LookupResult> =>
      askAndStore(name, type, { signal, deadline: options.deadline, config }, store, key);
    if (fresh || !queries.has(key)) return queries.join(key, options.signal, fresh, start);
    return queries
      .join(key, options.signal, false, start)
      .catch((error: unknown) => askAgainAfterTimeout(error, name, type, options));
  } catch (error) {
    // A bad configuration (CFSTREAM_TSIG) rejects, as it did when lookup was async.
    return Promise.reject(error);
  }
}

/** A question we joined kept the deadline of whoever started it: with time of our own left, ask again. */
function askAgainAfterTimeout(
  error: unknown,
  name: string,
  type: number,
  options: LookupOptions,
): Promise<LookupResult> {
  if (
    error instanceof StreamError &&
    error.code === NetServicesError.Timeout &&
    !options.signal.aborted &&
    Date.now() < options.deadline
  )
    return lookup(name, type, { ...options, fresh: true });
  return Promise.reject(error);
}

async function askAndStore(
  name: string,
  type: number,
  options: { signal: CancelSignal; deadline: number; config: UnicastConfig },
  store: AnswerCache,
  key: string,
): Promise<LookupResult> {
  const answer = await queryServers(name, type, options);
  const { server } = answer;
  const records = recordsAt(answer.message.answers, name, type);
  if (records.length === 0) {
    const { ttl, zone } = negativeOf(answer);
    const kind = rcodeOf(answer.message.flags) === Rcode.NXDOMAIN ? 'nxdomain' : 'nodata';
    store.put(name, type, zone === undefined ? { kind } : { kind, zone }, ttl, key);
    return zone === undefined ? { kind, server } : { kind, zone, server };
  }
  const { additionals } = answer.message;
  // RFC 2181 §5.2: an RRset has one TTL; the least of them bounds the whole answer.
  let ttl = Number.POSITIVE_INFINITY;
  for (const r of records) ttl = Math.min(ttl, r.ttl);
  store.put(name, type, { kind: 'records', records, additionals }, ttl, key);
  return { kind: 'records', records, additionals, server };
}
