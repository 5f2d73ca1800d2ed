/**
 * The kCFStreamPropertySOCKSProxy dictionary: validated when the property is
 * set, so that nothing over a wire limit is ever sent, and the
 * kCFStreamPropertyProxyLocalBypass rule for which destinations skip the
 * proxy. Messages never include the user name or password.
 */
import { isIP } from 'node:net';
import {
  kCFStreamPropertySOCKSPassword,
  kCFStreamPropertySOCKSProxyHost,
  kCFStreamPropertySOCKSProxyPort,
  kCFStreamPropertySOCKSUser,
  kCFStreamPropertySOCKSVersion,
  kCFStreamSocketSOCKSVersion4,
  kCFStreamSocketSOCKSVersion5,
} from '../constants.js';
import { SOCKSError, SOCKSSubdomain } from '../error-codes.js';
import { socksError } from '../errors.js';
import { checkPort } from '../port.js';
import { SOCKSLimits } from './wire.js';

/** A validated SOCKS proxy: where it is, which protocol, and the optional credentials. */
export interface SOCKSProxySettings {
  readonly host: string;
  readonly port: number;
  readonly version: 4 | 5;
  readonly user?: string;
  readonly password?: string;
}

/** The IANA port for SOCKS, used when the dictionary names none. */
export const DEFAULT_SOCKS_PORT = 1080;

/**
 * Validates a kCFStreamPropertySOCKSProxy dictionary. Throws TypeError or
 * RangeError for a bad value, and a SOCKS-domain StreamError (subdomain None,
 * UnknownClientVersion) for a version other than 4 or 5.
 */
export function parseSOCKSProxy(value: unknown): SOCKSProxySettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('kCFStreamPropertySOCKSProxy must be a dictionary (a plain object)');
  }
  const dictionary = value as Readonly<Record<string, unknown>>;
  const version = parseVersion(dictionary[kCFStreamPropertySOCKSVersion]);
  const host = parseHost(dictionary[kCFStreamPropertySOCKSProxyHost]);
  const port = parsePort(dictionary[kCFStreamPropertySOCKSProxyPort]);
  const user = parseSecret(dictionary[kCFStreamPropertySOCKSUser], 'kCFStreamPropertySOCKSUser');
  const password = parseSecret(
    dictionary[kCFStreamPropertySOCKSPassword],
    'kCFStreamPropertySOCKSPassword',
  );

  if (user !== undefined) {
    const bytes = Buffer.byteLength(user, 'utf8');
    if (version === 4) {
      // SOCKS4 USERID is NUL-terminated: a NUL inside would cut it short.
      if (user.includes('\0'))
        throw new RangeError('kCFStreamPropertySOCKSUser must not contain NUL for SOCKS4');
      if (bytes > SOCKSLimits.maxSOCKS4UserBytes) {
        throw new RangeError(
          `kCFStreamPropertySOCKSUser is ${bytes} UTF-8 bytes; SOCKS4 allows at most 512`,
        );
      }
    } else if (bytes > SOCKSLimits.maxNameBytes) {
      // RFC 1929 §2: ULEN is one octet.
      throw new RangeError(
        `kCFStreamPropertySOCKSUser is ${bytes} UTF-8 bytes; SOCKS5 allows at most 255`,
      );
    }
  }
  if (password !== undefined) {
    const bytes = Buffer.byteLength(password, 'utf8');
    // RFC 1929 §2: PLEN is one octet.
    if (bytes > SOCKSLimits.maxNameBytes) {
      throw new RangeError(
        `kCFStreamPropertySOCKSPassword is ${bytes} UTF-8 bytes; at most 255 are allowed`,
      );
    }
  }
  return Object.freeze({
    host,
    port,
    version,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  });
}

function parseVersion(value: unknown): 4 | 5 {
  switch (value) {
    case undefined:
    case null:
      return 5;
    case kCFStreamSocketSOCKSVersion4:
    case 4:
      return 4;
    case kCFStreamSocketSOCKSVersion5:
    case 5:
      return 5;
    default: {
      const shown =
        typeof value === 'string' || typeof value === 'number'
          ? JSON.stringify(value)
          : typeof value;
      throw socksError(
        SOCKSSubdomain.None,
        SOCKSError.UnknownClientVersion,
        `kCFStreamPropertySOCKSVersion ${shown} is neither kCFStreamSocketSOCKSVersion4 nor kCFStreamSocketSOCKSVersion5`,
      );
    }
  }
}

function parseHost(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(
      `${kCFStreamPropertySOCKSProxyHost} (kCFStreamPropertySOCKSProxyHost) must be a string`,
    );
  }
  // "[::1]" as in a URL authority: the brackets are not part of the address.
  const host =
    value.startsWith('[') && value.endsWith(']') && isIP(value.slice(1, -1)) === 6
      ? value.slice(1, -1)
      : value;
  if (host.length === 0) throw new RangeError('kCFStreamPropertySOCKSProxyHost must not be empty');
  const bytes = Buffer.byteLength(host, 'utf8');
  if (bytes > SOCKSLimits.maxNameBytes) {
    throw new RangeError(
      `kCFStreamPropertySOCKSProxyHost is ${bytes} UTF-8 bytes; at most 255 are allowed`,
    );
  }
  if (host.includes('\0'))
    throw new RangeError('kCFStreamPropertySOCKSProxyHost must not contain NUL');
  return host;
}

function parsePort(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_SOCKS_PORT;
  let port: number;
  if (typeof value === 'number') {
    port = value;
  } else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    port = Number(value.trim());
  } else {
    throw new TypeError(
      `${kCFStreamPropertySOCKSProxyPort} (kCFStreamPropertySOCKSProxyPort) must be a number or a numeric string`,
    );
  }
  return checkPort(port, 'connect', 'kCFStreamPropertySOCKSProxyPort');
}

/** User and password: optional strings; an empty one counts as absent. The value is never shown. */
function parseSecret(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${key} must be a string`);
  return value.length === 0 ? undefined : value;
}

/**
 * True when `host` should connect directly under kCFStreamPropertyProxyLocalBypass
 * ("ExcludeSimpleHostnames"): a simple name with no dot, or a `.local` name
 * (RFC 6762 §3, trailing root dot allowed). Literal addresses are never bypassed.
 */
export function bypassesProxy(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.length === 0 || isIP(bare) !== 0) return false;
  if (!bare.includes('.')) return true;
  const name = (bare.endsWith('.') ? bare.slice(0, -1) : bare).toLowerCase();
  return name === 'local' || name.endsWith('.local');
}
