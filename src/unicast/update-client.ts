/**
 * Sends an RFC 2136 UPDATE to the zone's update server and judges the reply:
 * the server is the one `_dns-update._udp.<zone>` names (RFC 6763 §11 with
 * RFC 2782), else each configured server in turn; the request is signed with
 * the zone's TSIG key (RFC 8945) and so must the reply be, or it is not
 * believed. An rcode other than NOERROR comes back as an error naming it.
 */

import { ExtraType, Opcode, Rcode, RRClass, rcodeOf } from '../dns/wire-extra.js';
import { RRType } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { keyForZone, type UnicastConfig } from './config.js';
import { lookup } from './dns-client.js';
import { describeServer, exchangeWith } from './exchange.js';
import { newMessageId, type ServerAddress } from './exchange-core.js';
import { signRequest, tsigErrorOf, verifyReply } from './tsig.js';
import { rcodeError } from './unicast-errors.js';

/** The update server of a zone: the `_dns-update._udp` SRV target when there is one, else the configured servers. */
export async function updateServers(
  zone: string,
  options: { signal: AbortSignal; deadline: number; config: UnicastConfig },
): Promise<readonly ServerAddress[]> {
  const srv = await lookup(`_dns-update._udp.${zone}`, RRType.SRV, options).catch(() => undefined);
  const data = srv?.kind === 'records' ? srv.records[0]?.data : undefined;
  if (data?.type !== 'SRV' || data.target === '') return options.config.servers;
  const address = await lookup(data.target, RRType.A, options).catch(() => undefined);
  const a = address?.kind === 'records' ? address.records[0]?.data : undefined;
  return a?.type === 'A' ? [{ host: a.address, port: data.port }] : options.config.servers;
}

/**
 * Sends the UPDATE built by `build(id)` for `zone`; resolves on NOERROR with a
 * verified signature, rejects with the rcode (YXDOMAIN for a taken name) otherwise.
 */
export async function sendUpdate(
  zone: string,
  build: (id: number) => Buffer,
  what: string,
  options: { signal: AbortSignal; deadline: number; config: UnicastConfig },
): Promise<void> {
  const { config } = options;
  const key = keyForZone(config, zone);
  const servers = await updateServers(zone, options);
  let lastError: unknown;
  for (const server of servers) {
    const left = options.deadline - Date.now();
    if (left <= 0) break;
    const id = newMessageId();
    const unsigned = build(id);
    const signed =
      key === undefined ? undefined : signRequest(unsigned, key, config.wallClock() / 1000);
    const name = describeServer(server);
    let answer: Awaited<ReturnType<typeof exchangeWith>>;
    try {
      answer = await exchangeWith(
        server,
        signed?.bytes ?? unsigned,
        {
          id,
          opcode: Opcode.UPDATE,
          question: { name: zone, type: ExtraType.SOA, rrclass: RRClass.IN },
          server,
        },
        { signal: options.signal, timeoutMs: Math.min(left, config.timings.queryTimeoutMs) },
      );
    } catch (error) {
      if (options.signal.aborted) throw error;
      lastError = error;
      continue;
    }
    const rcode = rcodeOf(answer.message.flags);
    if (rcode !== Rcode.NOERROR) {
      const hint =
        key === undefined && rcode === Rcode.REFUSED
          ? `no TSIG key is configured for zone ${zone} (configureUnicastDNS keys, CFSTREAM_TSIG or --tsig)`
          : undefined;
      throw rcodeError(rcode, what, name, tsigErrorOf(answer.bytes, answer.placed), hint);
    }
    if (key !== undefined && signed !== undefined) {
      const verdict = verifyReply(
        answer.bytes,
        answer.placed,
        key,
        signed.mac,
        config.wallClock() / 1000,
      );
      if (!verdict.ok)
        throw new StreamError(
          ErrorDomain.NetServices,
          NetServicesError.Unknown,
          `${what}: the reply of DNS server ${name} cannot be trusted: ${verdict.reason}`,
        );
    }
    return;
  }
  throw (
    lastError ??
    new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.Timeout,
      `${what}: no DNS server to send it to`,
    )
  );
}
