/**
 * The one size rule for a TXT record published by UPDATE: it must leave room
 * in one DNS message (RFC 1035 §4.2.2) for the update's other records. Kept
 * apart so that the lazy stand-in (netservice/unicast-discovery.ts) can refuse
 * a TXT at once without loading the unicast room.
 */

import { MAX_MESSAGE } from '../dns/wire-extra.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** Room kept in the message for the UPDATE's header, zone, prerequisites and SRV. */
const UPDATE_OVERHEAD = 1024;

/** Throws NetServices BadArgument when `txt` (raw strings) cannot fit one UPDATE message. */
export function checkTxtFitsUpdate(txt: readonly Buffer[]): void {
  const size = txt.reduce((total, s) => total + 1 + s.length, 0);
  if (size > MAX_MESSAGE - UPDATE_OVERHEAD)
    throw new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.BadArgument,
      `a ${size}-byte TXT record does not fit one DNS message`,
    );
}
