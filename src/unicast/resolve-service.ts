/**
 * Resolves a service instance over unicast DNS (RFC 6763 §5-6): its SRV
 * record, its TXT record when asked for, then the addresses of the SRV
 * target, taken from the SRV answer's additional section when the server put
 * them there (RFC 6763 §12.2) and asked for otherwise.
 */

import type { CancelSignal } from '../abort.js';
import type { ResolvedAddress, ServiceResolution } from '../address.js';
import { nameKey } from '../dns/dns-name.js';
import { Rcode } from '../dns/wire-extra.js';
import { type DnsRecord, RRType } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import type { CachedAnswer } from './answer-cache.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { answerCache, forgetAnswer, type LookupResult, lookup } from './dns-client.js';
import { describeServer } from './exchange.js';
import { notFoundError, rcodeError } from './unicast-errors.js';

/** RFC 2782: the lowest priority wins; among equals the first (weights spread load we do not share). */
function pickSrv(
  records: readonly DnsRecord[],
): Extract<DnsRecord['data'], { type: 'SRV' }> | undefined {
  let best: Extract<DnsRecord['data'], { type: 'SRV' }> | undefined;
  for (const r of records)
    if (r.data.type === 'SRV' && (best === undefined || r.data.priority < best.priority))
      best = r.data;
  return best;
}

function addressesIn(records: readonly DnsRecord[], host: string): ResolvedAddress[] {
  const out: ResolvedAddress[] = [];
  // The host's key only for a record whose name is not spelt as the SRV target is.
  let owner: string | undefined;
  for (const r of records) {
    if (r.name !== host && nameKey(r.name) !== (owner ??= nameKey(host))) continue;
    if (r.data.type === 'A') out.push({ address: r.data.address, family: 4 });
    else if (r.data.type === 'AAAA') out.push({ address: r.data.address, family: 6 });
  }
  return out;
}

function missing(result: LookupResult, what: string): StreamError {
  if (result.kind === 'nxdomain')
    return rcodeError(
      Rcode.NXDOMAIN,
      what,
      result.server ? describeServer(result.server) : 'the cache',
    );
  return notFoundError(`${what}: the name exists but has no such record`);
}

/** Resolves `instance` (presentation form, with or without the final dot). */
export async function resolveService(
  instance: string,
  options: {
    signal: CancelSignal;
    timeoutMs?: number | undefined;
    needTxt: boolean;
    /** Ask the server, not the cache (a live view after the zone changed). */
    fresh?: boolean;
    config?: UnicastConfig;
  },
): Promise<ServiceResolution> {
  const config = options.config ?? unicastConfig();
  const name = instance.endsWith('.') ? instance.slice(0, -1) : instance;
  const timeoutMs = options.timeoutMs ?? config.timings.resolveTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  const ask = { signal: options.signal, deadline, config, fresh: options.fresh === true };
  // Built only for an error: a resolve that succeeds formats nothing.
  const what = (): string => `resolve of ${JSON.stringify(name)}`;
  try {
    // SRV and TXT in parallel (RFC 6763 §6: independent records); without TXT no Promise.all.
    const txtLookup = options.needTxt
      ? lookup(name, RRType.TXT, ask).catch(() => undefined)
      : undefined;
    const srvAnswer = await lookup(name, RRType.SRV, ask);
    // No await of undefined without TXT: a turn of the microtask queue for nothing.
    const txtAnswer = txtLookup === undefined ? undefined : await txtLookup;
    if (srvAnswer.kind !== 'records') throw missing(srvAnswer, what());
    const srv = pickSrv(srvAnswer.records);
    if (srv === undefined) throw missing({ kind: 'nodata' }, what());
    // RFC 2782: a target of "." means the service is decidedly not available here.
    if (srv.target === '')
      throw notFoundError(`${what()}: the service says it is not available (SRV target ".")`);
    let addresses = addressesIn(srvAnswer.additionals, srv.target);
    if (addresses.length === 0) {
      const [a, aaaa] = await Promise.all([
        lookup(srv.target, RRType.A, ask),
        lookup(srv.target, RRType.AAAA, ask).catch(() => ({ kind: 'nodata' }) as const),
      ]);
      addresses = [
        ...(a.kind === 'records' ? addressesIn(a.records, srv.target) : []),
        ...(aaaa.kind === 'records' ? addressesIn(aaaa.records, srv.target) : []),
      ];
      if (addresses.length === 0)
        throw notFoundError(`${what()}: host ${srv.target} has no address`);
    }
    const txtData = txtAnswer?.kind === 'records' ? txtAnswer.records[0]?.data : undefined;
    return {
      hostName: srv.target,
      port: srv.port,
      addresses,
      txt: txtData?.type === 'TXT' ? txtData.strings : undefined,
    };
  } catch (error) {
    if (
      error instanceof StreamError &&
      error.code === NetServicesError.Timeout &&
      Date.now() >= deadline
    )
      throw new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.Timeout,
        `${what()}: no answer within ${timeoutMs} ms`,
        {
          cause: error,
        },
      );
    throw error;
  }
}

/** The resolution the cache holds now, without any I/O; undefined when anything is missing. */
export function cachedService(
  instance: string,
  config = unicastConfig(),
): ServiceResolution | undefined {
  const store = answerCache(config);
  const name = instance.replace(/\.$/, '');
  const srvAnswer: CachedAnswer | undefined = store.get(name, RRType.SRV);
  if (srvAnswer?.kind !== 'records') return undefined;
  const srv = pickSrv(srvAnswer.records);
  if (srv === undefined || srv.target === '') return undefined;
  let addresses = addressesIn(srvAnswer.additionals, srv.target);
  if (addresses.length === 0) {
    for (const type of [RRType.A, RRType.AAAA]) {
      const hit = store.get(srv.target, type);
      if (hit?.kind === 'records')
        addresses = [...addresses, ...addressesIn(hit.records, srv.target)];
    }
  }
  if (addresses.length === 0) return undefined;
  const txt = store.get(name, RRType.TXT);
  const txtData = txt?.kind === 'records' ? txt.records[0]?.data : undefined;
  return {
    hostName: srv.target,
    port: srv.port,
    addresses,
    txt: txtData?.type === 'TXT' ? txtData.strings : undefined,
  };
}

/**
 * Connecting to `failed` failed: the service may have moved (a new port, a
 * renumbered host) while its records still live in our cache. Unicast DNS has
 * no reconfirmation query (RFC 6762 §10.4 is multicast's); the server is the
 * authority, so the instance's SRV and TXT and the failed target's addresses
 * are dropped (and questions in flight for them no longer shared), and the
 * next resolve asks the server again.
 */
export function forgetService(
  instance: string,
  failed: { readonly hostName: string },
  config = unicastConfig(),
): void {
  const name = instance.replace(/\.$/, '');
  const host = failed.hostName.replace(/\.$/, '');
  // A question in flight may have been sent before the service moved: the next resolve asks anew.
  forgetAnswer(name, RRType.SRV, config);
  forgetAnswer(name, RRType.TXT, config);
  forgetAnswer(host, RRType.A, config);
  forgetAnswer(host, RRType.AAAA, config);
}
