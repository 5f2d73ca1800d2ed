/**
 * What a DNS server's answer means for a caller, in the NetServices domain:
 * the message names the response code (and the TSIG error, RFC 8945 §5.2),
 * and the cause carries it as `rcode` for code that matches on it. No
 * message ever holds a key's secret.
 */

import { describeRcode, Rcode, rcodeName } from '../dns/wire-extra.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** The cause of an rcode error: the code's mnemonic for matching. */
export class DnsRcodeError extends Error {
  override readonly name = 'DnsRcodeError';
  /** "NXDOMAIN", "REFUSED", "BADSIG", ... */
  readonly rcode: string;

  constructor(rcode: number, message: string) {
    super(message);
    this.rcode = rcodeName(rcode);
  }
}

/** The NetServices code for a response code: a missing name is NotFound, a taken one Collision. */
function netServicesCode(rcode: number): number {
  switch (rcode) {
    case Rcode.NXDOMAIN:
    case Rcode.NXRRSET:
      return NetServicesError.NotFound;
    case Rcode.YXDOMAIN:
    case Rcode.YXRRSET:
      return NetServicesError.Collision;
    default:
      return NetServicesError.Unknown;
  }
}

/**
 * An error for a response code: `what` says what was asked ("resolve of ..."),
 * `server` who answered; a TSIG error (RFC 8945 §5.2) names the code more
 * precisely than the NOTAUTH that carries it; `hint` says what to do.
 */
export function rcodeError(
  rcode: number,
  what: string,
  server: string,
  tsigError?: number,
  hint?: string,
): StreamError {
  const tsig = tsigError === undefined ? '' : `, TSIG error ${describeRcode(tsigError)}`;
  const message = `${what}: DNS server ${server} answered ${describeRcode(rcode)}${tsig}${hint ? `; ${hint}` : ''}`;
  return new StreamError(ErrorDomain.NetServices, netServicesCode(rcode), message, {
    cause: new DnsRcodeError(tsigError ?? rcode, message),
  });
}

/** An error for an answer that is there but does not hold what DNS-SD needs. */
export function notFoundError(message: string): StreamError {
  return new StreamError(ErrorDomain.NetServices, NetServicesError.NotFound, message);
}
