/**
 * StreamError: one error class for every failure a stream reports, carrying
 * CFNetwork's domain and code (match on those, not on the message), the
 * original error as `cause`, and converters from Node's errors.
 */
import { constants as osConstants } from 'node:os';
import type { LookupDiagnosis } from './diagnosis.js';
import { domainName, ErrorDomain, NetDBError } from './error-codes.js';

/** CF's `CFStreamError` struct. */
export interface CFStreamError {
  readonly domain: number;
  readonly error: number;
}

/** A stream failure with CFNetwork's domain and code. */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  readonly domain: number;
  readonly code: number;
  /** Why a lookup found nothing (a NetServices Timeout of an mDNS resolve), when known. */
  readonly diagnosis?: LookupDiagnosis;

  constructor(
    domain: number,
    code: number,
    message: string,
    options?: { cause?: unknown; diagnosis?: LookupDiagnosis },
  ) {
    super(
      `${message} (${domainName(domain)} ${code})`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.domain = domain;
    this.code = code;
    if (options?.diagnosis !== undefined) this.diagnosis = options.diagnosis;
  }

  /** The error as CF's `{ domain, error }` struct. */
  toCFStreamError(): CFStreamError {
    return { domain: this.domain, error: this.code };
  }
}

const errnoNumbers = osConstants.errno as Record<string, number>;

/** A POSIX-domain error for an errno name ("ECONNREFUSED") or number. */
export function posixError(errno: string | number, message?: string, cause?: unknown): StreamError {
  const code = typeof errno === 'number' ? errno : (errnoNumbers[errno] ?? 0);
  const name = typeof errno === 'string' ? errno : errnoName(errno);
  return new StreamError(
    ErrorDomain.POSIX,
    code,
    message ?? name,
    cause === undefined ? {} : { cause },
  );
}

function errnoName(code: number): string {
  for (const [name, value] of Object.entries(errnoNumbers)) if (value === code) return name;
  return `errno ${code}`;
}

// Node reports getaddrinfo failures by these names (ENOTFOUND covers EAI_NONAME and EAI_NODATA).
const netdbByNodeCode: Record<string, number> = {
  ENOTFOUND: NetDBError.EAI_NONAME,
  ENODATA: NetDBError.EAI_NODATA,
  EAI_AGAIN: NetDBError.EAI_AGAIN,
  EAI_FAIL: NetDBError.EAI_FAIL,
  EAI_FAMILY: NetDBError.EAI_FAMILY,
  EAI_MEMORY: NetDBError.EAI_MEMORY,
  EAI_SERVICE: NetDBError.EAI_SERVICE,
  EAI_SOCKTYPE: NetDBError.EAI_SOCKTYPE,
  EAI_BADFLAGS: NetDBError.EAI_BADFLAGS,
  EAI_NODATA: NetDBError.EAI_NODATA,
  EAI_NONAME: NetDBError.EAI_NONAME,
  EAI_ADDRFAMILY: NetDBError.EAI_ADDRFAMILY,
  EAI_OVERFLOW: NetDBError.EAI_OVERFLOW,
};

/** A NetDB-domain error for a failed name lookup of `hostname`. */
export function netdbError(nodeError: NodeJS.ErrnoException, hostname: string): StreamError {
  const code = netdbByNodeCode[nodeError.code ?? ''] ?? NetDBError.EAI_FAIL;
  return new StreamError(
    ErrorDomain.NetDB,
    code,
    `cannot resolve ${JSON.stringify(hostname)}: ${nodeError.code ?? nodeError.message}`,
    {
      cause: nodeError,
    },
  );
}

/**
 * Converts whatever a socket or lookup threw into a StreamError: StreamErrors
 * pass through, Node system errors become POSIX (or NetDB for lookups), and
 * anything else is a Custom-domain error that keeps the original as `cause`.
 */
export function toStreamError(error: unknown): StreamError {
  if (error instanceof StreamError) return error;
  const nodeError = error as NodeJS.ErrnoException | undefined;
  const code = nodeError?.code;
  if (code !== undefined && (code in netdbByNodeCode || nodeError?.syscall === 'getaddrinfo')) {
    return netdbError(
      nodeError as NodeJS.ErrnoException,
      (nodeError as { hostname?: string }).hostname ?? '',
    );
  }
  if (code !== undefined && code in errnoNumbers)
    return posixError(code, nodeError?.message ?? code, error);
  const message = error instanceof Error ? error.message : String(error);
  return new StreamError(ErrorDomain.Custom, -1, message, { cause: error });
}

/** Encodes a SOCKS-domain code: `(subdomain << 16) | code`. */
export function encodeSOCKSError(subdomain: number, code: number): number {
  return ((subdomain & 0xffff) << 16) | (code & 0xffff);
}

/** A SOCKS-domain StreamError with its subdomain and code encoded as CF does. */
export function socksError(
  subdomain: number,
  code: number,
  message: string,
  cause?: unknown,
): StreamError {
  return new StreamError(
    ErrorDomain.SOCKS,
    encodeSOCKSError(subdomain, code),
    message,
    cause === undefined ? {} : { cause },
  );
}

/** What the SOCKS error helpers accept: CF's struct or a StreamError. */
export type ErrorLike = CFStreamError | StreamError;
const errorValue = (e: ErrorLike): number => ('error' in e ? e.error : e.code);

/** The subdomain of a SOCKS-domain error: `(error >> 16) & 0xFFFF`. */
export function CFSocketStreamSOCKSGetErrorSubdomain(error: ErrorLike): number {
  return (errorValue(error) >> 16) & 0xffff;
}
/** The code within the subdomain of a SOCKS-domain error: `error & 0xFFFF`. */
export function CFSocketStreamSOCKSGetError(error: ErrorLike): number {
  return errorValue(error) & 0xffff;
}
// The seed's other spellings of the two getters (docs/decisions.md, "SOCKS"). The codes
// themselves are CF's anonymous enums, exported as SOCKSError and kCFStreamErrorSOCKS*.
/** Alias of CFSocketStreamSOCKSGetErrorSubdomain. */
export const CFReadStreamSOCKSGetErrorSubdomain = CFSocketStreamSOCKSGetErrorSubdomain;
/** Alias of CFSocketStreamSOCKSGetErrorSubdomain. */
export const CFReadStreamSOCKSErrorSubdomain = CFSocketStreamSOCKSGetErrorSubdomain;
/** Alias of CFSocketStreamSOCKSGetError. */
export const CFReadStreamSOCKSGetError = CFSocketStreamSOCKSGetError;
/** Alias of CFSocketStreamSOCKSGetError. */
export const CFReadStreamSOCKSError = CFSocketStreamSOCKSGetError;
/** Alias of CFSocketStreamSOCKSGetError, as the seed's "Obtaining Errors" spells it. */
export const CFSocketStreamSOCKSError = CFSocketStreamSOCKSGetError;
