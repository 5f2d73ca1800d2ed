/**
 * Resolutions built on lookups: a `.local` host name to its addresses
 * (A and AAAA, RFC 6762 §3), and a service instance to its SRV target, port,
 * TXT and the target's addresses (RFC 6763 §4-6, with the follow-up address
 * questions of §12 when the responder left them out).
 */

import type { CachedResolutionMemo, ResolvedAddress, ServiceResolution } from '../address.js';
import type { LookupDiagnosis } from '../diagnosis.js';
import { sameName } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { cachedAddresses } from './cached-addresses.js';
import { diagnoseLookup, splitInstance } from './diagnosis.js';
import type { MdnsEngine } from './engine.js';
import { type LookupContext, lookupRecords } from './lookup.js';
import type { CacheEntry, RecordCache } from './record-cache.js';

export { cachedAddresses } from './cached-addresses.js';

/** The default wait for a host name or a service, in milliseconds. */
export const DEFAULT_RESOLVE_TIMEOUT_MS = 5000;
/** A resolve that has SRV and addresses waits this long for TXT before asking for it again. */
const TXT_GRACE_MS = 100;
/** A service resolve still without SRV after this long also asks for its type's instances. */
const BROWSE_FOR_DIAGNOSIS_MS = 1000;

/** How link-local IPv6 addresses name their interface (engine.scopeOf). */
type ScopeOf = (interfaceName: string) => string;

function addressesOrAsk(
  context: Pick<LookupContext, 'cache' | 'want'>,
  hostName: string,
  scopeOf: ScopeOf | undefined,
): ResolvedAddress[] | undefined {
  const found = cachedAddresses(context.cache, hostName, scopeOf);
  if (found.length > 0) return found;
  context.want(hostName, RRType.A);
  context.want(hostName, RRType.AAAA);
  return undefined;
}

/** Resolves a `.local` host name to its addresses. */
export function resolveHostWithEngine(
  engine: MdnsEngine,
  name: string,
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<ResolvedAddress[]> {
  const hostName = name.replace(/\.$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const heard = engine.packetsHeard;
  return lookupRecords(engine, {
    signal: options.signal,
    timeoutMs,
    evaluate: (context) => addressesOrAsk(context, hostName, engine.scopeOf),
    timeoutError: () => timeoutError(diagnoseLookup(engine, hostName, 'host', heard, timeoutMs)),
  });
}

/** A NetServices Timeout whose message ends with the diagnosis' summary, which it carries. */
function timeoutError(diagnosis: LookupDiagnosis): StreamError {
  return new StreamError(
    ErrorDomain.NetServices,
    NetServicesError.Timeout,
    `no mDNS answer for ${JSON.stringify(diagnosis.name)}: ${diagnosis.summary}`,
    { diagnosis },
  );
}

/**
 * A service's resolution as far as the cache holds it, asking (through
 * `context.want`) for what is missing: SRV, the target's addresses, and TXT
 * when `needTxt`.
 */
function serviceFromCache(
  context: Pick<LookupContext, 'cache' | 'want'>,
  instanceName: string,
  needTxt: boolean,
  scopeOf: ScopeOf | undefined,
): ServiceResolution | undefined {
  // A doomed SRV (goodbye, RFC 6762 §10.1) names a service that has left: wait for a live one.
  const srvEntry = context.cache.lookup(instanceName, RRType.SRV).find((e) => !e.doomed);
  if (srvEntry === undefined || srvEntry.record.data.type !== 'SRV') {
    context.want(instanceName, RRType.SRV);
    if (needTxt) context.want(instanceName, RRType.TXT);
    return undefined;
  }
  const srv = srvEntry.record.data;
  const addresses = addressesOrAsk(context, srv.target, scopeOf);
  if (addresses === undefined) return undefined;
  const txtData = context.cache.lookup(instanceName, RRType.TXT)[0]?.record.data;
  const txt = txtData?.type === 'TXT' ? txtData.strings : undefined;
  if (needTxt && txt === undefined) context.want(instanceName, RRType.TXT);
  return { hostName: srv.target, port: srv.port, addresses, txt };
}

/** A lookup's `want` that asks for nothing: whatever is missing stays missing. */
function wantNothing(): void {}

/**
 * A service's resolution from the cache alone, or undefined when anything is
 * missing; with a `memo`, the answer kept there while the cache answers as it
 * did (RecordCache.answersSince): a warm open reads it at every open, and
 * four lookups cost more than the rest of its route.
 */
export function cachedService(
  cache: RecordCache,
  instanceName: string,
  scopeOf?: ScopeOf,
  memo?: CachedResolutionMemo,
): ServiceResolution | undefined {
  if (memo !== undefined && memo.instanceName === instanceName && cache.answersSince(memo.stamp))
    return memo.resolution;
  const stamp = cache.stamp;
  const resolution = serviceFromCache({ cache, want: wantNothing }, instanceName, false, scopeOf);
  if (memo !== undefined) {
    memo.instanceName = instanceName;
    memo.stamp = stamp;
    memo.resolution = resolution;
  }
  return resolution;
}

/**
 * Resolves a service instance (its full name in presentation form). With
 * `needTxt` it also waits for the TXT record: RFC 6763 §6 gives every
 * instance one, so an empty TXT is never made up for one that did not come.
 */
export function resolveServiceWithEngine(
  engine: MdnsEngine,
  instanceName: string,
  options: { signal: AbortSignal; timeoutMs?: number; needTxt?: boolean },
): Promise<ServiceResolution> {
  let readyAt: number | undefined;
  let askedAgain = false;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const heard = engine.packetsHeard;
  const startedAt = engine.clock.now();
  const type = splitInstance(instanceName)?.type;
  return lookupRecords<ServiceResolution>(engine, {
    signal: options.signal,
    timeoutMs,
    evaluate: (context) => {
      const found = serviceFromCache(
        context,
        instanceName,
        options.needTxt === true,
        engine.scopeOf,
      );
      if (found === undefined && type !== undefined) {
        // Still nothing after a while: list the type's instances too, so that a timeout can name
        // the near misses (a typo). A quick resolve never asks this.
        const waited = engine.clock.now() - startedAt;
        if (waited >= BROWSE_FOR_DIAGNOSIS_MS) context.want(type, RRType.PTR);
        else context.recheckAfter(BROWSE_FOR_DIAGNOSIS_MS - waited);
      }
      if (found === undefined || !options.needTxt || found.txt !== undefined) return found;
      // SRV and addresses are here, TXT is not. A responder may send it later (avahi multicasts a
      // record at most once a second, §6): after a moment, ask for it again with a one-shot
      // query, which is answered at once, and wait for it until the timeout.
      if (askedAgain) return undefined;
      const now = engine.clock.now();
      readyAt ??= now;
      if (now - readyAt < TXT_GRACE_MS) {
        context.recheckAfter(TXT_GRACE_MS - (now - readyAt));
        return undefined;
      }
      askedAgain = true;
      context.askAgain(instanceName, RRType.TXT);
      return undefined;
    },
    timeoutError: () =>
      timeoutError(diagnoseLookup(engine, instanceName, 'service', heard, timeoutMs)),
  });
}

/**
 * RFC 6762 §10.4: connecting to `failed` (refused, unreachable, timed out)
 * showed its records may be stale. The SRV that gave its port and the
 * address records it was tried at are put in dispute: used no more, asked
 * for again, flushed in ten seconds unless their owner confirms them.
 */
export function reconfirmService(
  engine: MdnsEngine,
  instanceName: string,
  failed: {
    readonly hostName: string;
    readonly port: number;
    readonly addresses: readonly ResolvedAddress[];
  },
): void {
  const disputed: CacheEntry[] = [];
  for (const entry of engine.cache.lookup(instanceName, RRType.SRV)) {
    const data = entry.record.data;
    if (
      !entry.doomed &&
      data.type === 'SRV' &&
      data.port === failed.port &&
      sameName(data.target, failed.hostName)
    )
      disputed.push(entry);
  }
  const tried = new Set(failed.addresses.map((a) => a.address.split('%')[0]));
  for (const type of [RRType.A, RRType.AAAA]) {
    for (const entry of engine.cache.lookup(failed.hostName, type)) {
      const data = entry.record.data;
      if (!entry.doomed && (data.type === 'A' || data.type === 'AAAA') && tried.has(data.address))
        disputed.push(entry);
    }
  }
  engine.reconfirmer.reconfirm(disputed);
}
