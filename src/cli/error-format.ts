/**
 * Turns a failure into what `cfstream` reports: one line naming the CF error
 * domain by name and number, the code and its meaning (for SOCKS, the
 * subdomain and the code within it), or the same as JSON fields.
 */
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  domainName,
  ErrorDomain,
  type LookupDiagnosis,
  StreamError,
  toStreamError,
} from '../index.js';
import { meaningOf, socksSubdomainName } from './error-meanings.js';

/** An error as `cfstream --json` prints it (with `event: "error"`). */
export interface ErrorReport {
  readonly domain: number;
  readonly domainName: string;
  /** The code; for SOCKS, the code within the subdomain. */
  readonly code: number;
  /** CF's raw `CFStreamError.error` (for SOCKS: `(subdomain << 16) | code`). */
  readonly error: number;
  readonly subdomain?: number;
  readonly subdomainName?: string;
  /** The code's symbolic name, when it has one (ECONNREFUSED, errSSLCertExpired, EAI_NONAME...). */
  readonly name?: string;
  readonly meaning: string;
  /** The library's message, without the "(Domain code)" suffix StreamError adds. */
  readonly message: string;
  /** Why an mDNS lookup found nothing (its summary ends `message`). */
  readonly diagnosis?: LookupDiagnosis;
}

/** Describes any thrown value as an ErrorReport; other errors go through toStreamError (Node system errors become POSIX or NetDB, the rest Custom). */
export function describeError(thrown: unknown): ErrorReport {
  const error = thrown instanceof StreamError ? thrown : toStreamError(thrown);
  const message = error.message.replace(/ \([A-Za-z]+ -?\d+\)$/, '');
  if (error.domain === ErrorDomain.SOCKS) {
    const subdomain = CFSocketStreamSOCKSGetErrorSubdomain(error);
    const code = CFSocketStreamSOCKSGetError(error);
    const meaning = meaningOf(error.domain, code, subdomain);
    return {
      domain: error.domain,
      domainName: domainName(error.domain),
      code,
      error: error.code,
      subdomain,
      subdomainName: socksSubdomainName(subdomain),
      meaning: meaning.text,
      message,
    };
  }
  const meaning = meaningOf(error.domain, error.code);
  return {
    domain: error.domain,
    domainName: domainName(error.domain),
    code: error.code,
    error: error.code,
    ...(meaning.name === undefined ? {} : { name: meaning.name }),
    meaning: meaning.text,
    message,
    ...(error.diagnosis === undefined ? {} : { diagnosis: error.diagnosis }),
  };
}

/**
 * The one-line text form, for example
 * `POSIX (domain 1) code 111 ECONNREFUSED: connection refused (connect ECONNREFUSED 127.0.0.1:9)`
 * or `SOCKS (domain 5) subdomain SOCKS5Response (5) code 2: connection not allowed by ruleset`.
 */
export function formatErrorLine(report: ErrorReport): string {
  if (report.domain === ErrorDomain.Custom) return oneLine(report.message);
  const where =
    report.subdomain === undefined
      ? ''
      : ` subdomain ${report.subdomainName} (${report.subdomain})`;
  const name = report.name === undefined ? '' : ` ${report.name}`;
  const detail =
    report.message === '' || report.message === report.meaning ? '' : ` (${report.message})`;
  return oneLine(
    `${report.domainName} (domain ${report.domain})${where} code ${report.code}${name}: ${report.meaning}${detail}`,
  );
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
