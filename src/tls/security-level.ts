/**
 * Security levels: validating `kCFStreamPropertySocketSecurityLevel`, mapping
 * the deprecated protocol enum, choosing the effective level when both the
 * property and `kCFStreamSSLLevel` are set, and the TLS versions and
 * ciphers of each level (secure-context.ts turns them into a context).
 */
import type { SecureVersion } from 'node:tls';
import {
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSocketSecurityLevelNone,
  kCFStreamSocketSecurityLevelSSLv2,
  kCFStreamSocketSecurityLevelSSLv3,
  kCFStreamSocketSecurityLevelTLSv1,
  type SecurityLevel,
  SecurityLevels,
  SecurityProtocol,
} from '../constants.js';
import { ErrorDomain, SSLError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { nodeTls } from './node-tls.js';

/** Validates a kCFStreamPropertySocketSecurityLevel value; throws TypeError. */
export function parseSecurityLevel(value: unknown): SecurityLevel {
  if (typeof value === 'string' && (SecurityLevels as readonly string[]).includes(value)) {
    return value as SecurityLevel;
  }
  throw new TypeError(
    `security level must be one of ${SecurityLevels.join(', ')}; got ${describe(value)}`,
  );
}

/** Maps the deprecated CFStreamSocketSecurityProtocol enum onto a level (SSLv23 -> NegotiatedSSL). */
export function securityLevelForProtocol(protocol: number): SecurityLevel {
  switch (protocol) {
    case SecurityProtocol.None:
      return kCFStreamSocketSecurityLevelNone;
    case SecurityProtocol.SSLv2:
      return kCFStreamSocketSecurityLevelSSLv2;
    case SecurityProtocol.SSLv3:
      return kCFStreamSocketSecurityLevelSSLv3;
    case SecurityProtocol.SSLv23:
      return kCFStreamSocketSecurityLevelNegotiatedSSL;
    case SecurityProtocol.TLSv1:
      return kCFStreamSocketSecurityLevelTLSv1;
    default:
      throw new TypeError(
        `unknown CFStreamSocketSecurityProtocol ${describe(protocol)} (expected 0-4)`,
      );
  }
}

/**
 * The level a connection uses. `kCFStreamSSLLevel` wins over the security
 * level property because it is the more specific setting; SSL settings
 * without a level turn TLS on at NegotiatedSSL, as setting
 * kCFStreamPropertySSLSettings does in CF. None means "no TLS".
 */
export function effectiveSecurityLevel(
  propertyLevel: SecurityLevel | undefined,
  settings: { readonly level: SecurityLevel | undefined } | undefined,
): SecurityLevel {
  if (settings?.level !== undefined) return settings.level;
  if (propertyLevel !== undefined && propertyLevel !== kCFStreamSocketSecurityLevelNone) {
    return propertyLevel;
  }
  return settings === undefined
    ? kCFStreamSocketSecurityLevelNone
    : kCFStreamSocketSecurityLevelNegotiatedSSL;
}

/** TLS versions and cipher list for one level, as Node's secure-context options. */
export interface ProtocolOptions {
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  readonly ciphers: string | undefined;
}

/**
 * Node's options for a level Node can speak, or an SSL-domain error for one
 * it cannot (SSLv2, SSLv3: OpenSSL 3 has no code for them, and upgrading the
 * request silently would hide that the caller asked for something else).
 *
 * NegotiatedSSL is Node's default range, TLS 1.2 to 1.3: a TLS 1.0-only peer
 * is refused. TLSv1 keeps CF's practical meaning, "TLS 1.0 or later": it is
 * the explicit opt-in for old LAN devices, so it also allows TLS 1.0 and 1.1,
 * which OpenSSL 3 only speaks at security level 0 (SHA-1 handshake
 * signatures). That weaker level applies only to connections that ask for it.
 */
export function protocolOptionsForLevel(level: SecurityLevel): ProtocolOptions | StreamError {
  switch (level) {
    case kCFStreamSocketSecurityLevelNegotiatedSSL:
      return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: undefined };
    case kCFStreamSocketSecurityLevelTLSv1:
      return {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.3',
        ciphers: `${nodeTls().DEFAULT_CIPHERS}:@SECLEVEL=0`,
      };
    case kCFStreamSocketSecurityLevelSSLv2:
    case kCFStreamSocketSecurityLevelSSLv3: {
      const name = level === kCFStreamSocketSecurityLevelSSLv2 ? 'SSLv2' : 'SSLv3';
      return new StreamError(
        ErrorDomain.SSL,
        SSLError.errSSLPeerProtocolVersion,
        `${name} is not available: Node's TLS (OpenSSL 3) cannot speak it; use ` +
          `${kCFStreamSocketSecurityLevelNegotiatedSSL} or ${kCFStreamSocketSecurityLevelTLSv1}`,
      );
    }
    case kCFStreamSocketSecurityLevelNone:
      return new StreamError(
        ErrorDomain.SSL,
        SSLError.errSSLProtocol,
        `security level ${kCFStreamSocketSecurityLevelNone} asks for no TLS: nothing to secure`,
      );
  }
}

/** A short description of a bad value for TypeError messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value)
    ? 'an array'
    : `an object (${value.constructor?.name ?? 'null prototype'})`;
}
