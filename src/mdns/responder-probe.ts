/**
 * Probe packets (RFC 6762 §8.1) and the size rule a service must meet to be
 * probed at all: one probe carries the questions for the instance and host
 * names and, in its authority section, every unique record claimed (SRV,
 * TXT, the link's addresses), because a rival compares the whole set (§8.2).
 * So the TXT must fit in one datagram of at most 9000 bytes beside its SRV
 * (§17); a service whose TXT does not is refused when it is published, not
 * left to fail unseen at every send.
 */

import { escapeLabel } from '../dns/dns-name.js';
import { encodePacket } from '../dns/packet-codec.js';
import { CLASS_IN, type DnsMessage, makeMessage, RRType } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError, toStreamError } from '../errors.js';
import type { MdnsInterface } from './interfaces.js';
import { payloadLimits } from './link-mtu.js';
import { hostRecords, serviceRecords } from './responder-records.js';

/** RFC 6763 §4.1.1: the longest instance label a rename ("Name (2)") can produce. */
const MAX_LABEL_OCTETS = 63;

/** What a probe is built from. */
export interface ProbeSubject {
  /** The full instance name, escaped: `My\.Echo._echo._tcp.local`. */
  readonly instance: string;
  readonly type: string;
  readonly hostName: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
}

/** The probe for `subject` on `iface`: QU on the first of the three (§5.4, §8.1). */
export function probeMessage(
  subject: ProbeSubject,
  iface: MdnsInterface | undefined,
  unicastResponse: boolean,
): DnsMessage {
  const { instance, type, hostName, port, txt } = subject;
  const authorities = [
    ...serviceRecords(instance, type, hostName, port, txt),
    ...hostRecords(hostName, iface),
  ]
    .filter((r) => r.unique)
    .map((r) => r.record);
  const questions = [instance, hostName].map((name) => ({
    name,
    type: RRType.ANY,
    rrclass: CLASS_IN,
    unicastResponse,
  }));
  return makeMessage({ questions, authorities });
}

function badArgument(message: string): StreamError {
  return new StreamError(ErrorDomain.NetServices, NetServicesError.BadArgument, message);
}

/**
 * Why a service cannot be probed on these links (a NetServices BadArgument),
 * or undefined when it can. The instance label is taken at its longest, so
 * that no later rename makes the probe outgrow the limit.
 */
export function probeProblem(
  subject: Omit<ProbeSubject, 'instance'>,
  interfaces: readonly MdnsInterface[],
): StreamError | undefined {
  const txtBytes = subject.txt.reduce((sum, s) => sum + 1 + s.length, 0);
  const longest = {
    ...subject,
    instance: `${escapeLabel('x'.repeat(MAX_LABEL_OCTETS))}.${subject.type}`,
  };
  const { lone } = payloadLimits(undefined);
  if (txtBytes > lone)
    return badArgument(
      `TXT record of ${txtBytes} bytes does not fit in one mDNS packet (at most ${lone}; RFC 6762 §17)`,
    );
  for (const iface of interfaces.length > 0 ? interfaces : [undefined]) {
    let size: number;
    try {
      size = encodePacket(probeMessage(longest, iface, true)).length;
    } catch (error) {
      return badArgument(
        `TXT record of ${txtBytes} bytes cannot be sent: ${(error as Error).message}`,
      );
    }
    if (size > lone) {
      return badArgument(
        `TXT record of ${txtBytes} bytes does not fit in one mDNS packet with its SRV record (${size} bytes, at most ${lone}; RFC 6762 §17)`,
      );
    }
  }
  return undefined;
}

/**
 * The error of a publication none of whose probes left (`cause`: the last
 * send error; none means there was no interface to send on).
 */
export function unsentProbeError(instance: string, cause: Error | undefined): StreamError {
  const reason = cause ?? Object.assign(new Error('no multicast interface'), { code: 'ENODEV' });
  const { domain, code } = toStreamError(reason);
  return new StreamError(
    domain,
    code,
    `cannot publish ${instance}: no probe could be sent (${reason.message})`,
    { cause: reason },
  );
}
