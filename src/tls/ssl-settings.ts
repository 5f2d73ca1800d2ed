/**
 * The kCFStreamPropertySSLSettings dictionary: validation and normalization
 * into {@link SSLSettings}, including this library's two extra keys (a
 * private CA for LAN devices, and the server's client-certificate request).
 * Everything is checked when the property is set, so a bad key, PEM or
 * passphrase fails there with a TypeError instead of later during open.
 */
import type { X509Certificate } from 'node:crypto';
import {
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLAllowsExpiredCertificates,
  kCFStreamSSLAllowsExpiredRoots,
  kCFStreamSSLCertificates,
  kCFStreamSSLIsServer,
  kCFStreamSSLLevel,
  kCFStreamSSLPeerName,
  kCFStreamSSLValidatesCertificateChain,
  type SecurityLevel,
} from '../constants.js';
import { nodeCrypto, nodeTls } from './node-tls.js';
import { describe, parseSecurityLevel } from './security-level.js';

/**
 * Extra settings key (not in CFNetwork): certificates to trust in addition to
 * the system roots, for LAN devices with a private CA or a self-signed
 * certificate. Values: PEM text (one or more certificates), PEM or DER bytes,
 * or X509Certificate objects; one value or an array.
 */
export const kCFStreamSSLTrustedRoots = 'kCFStreamSSLTrustedRoots';
/**
 * Extra settings key (SecureTransport's SSLSetClientSideAuthenticate): whether
 * a server asks the client for a certificate. One of {@link SSLAuthenticate}.
 */
export const kCFStreamSSLClientSideAuthenticate = 'kCFStreamSSLClientSideAuthenticate';

/** SecureTransport's `SSLAuthenticate`: never ask, always require, or ask and accept none. */
export const SSLAuthenticate = { Never: 0, Always: 1, Try: 2 } as const;
/** One of the {@link SSLAuthenticate} values. */
export type SSLAuthenticate = (typeof SSLAuthenticate)[keyof typeof SSLAuthenticate];
export const kNeverAuthenticate = SSLAuthenticate.Never;
export const kAlwaysAuthenticate = SSLAuthenticate.Always;
export const kTryAuthenticate = SSLAuthenticate.Try;

/** A certificate as PEM text, PEM or DER bytes, or an X509Certificate. */
export type CertificateInput = string | Buffer | X509Certificate;

/**
 * The first element of kCFStreamSSLCertificates, standing in for CF's
 * SecIdentityRef: `{ key, cert, passphrase? }` (a PEM private key and its
 * certificate as a {@link CertificateInput}) or `{ pfx, passphrase? }` (a
 * PKCS#12 bundle, which carries its own chain). Parsed, `cert` is an
 * X509Certificate.
 */
export type SSLIdentity =
  | { readonly key: string | Buffer; readonly cert: X509Certificate; readonly passphrase?: string }
  | { readonly pfx: Buffer; readonly passphrase?: string };

/** Our identity and the chain sent after it (issuer order). */
export interface SSLCertificates {
  readonly identity: SSLIdentity;
  readonly chain: readonly X509Certificate[];
}

/** A validated kCFStreamPropertySSLSettings dictionary with CF's defaults filled in. */
export interface SSLSettings {
  /** kCFStreamSSLLevel; undefined leaves the choice to the security level property. */
  readonly level: SecurityLevel | undefined;
  readonly allowsExpiredCertificates: boolean;
  readonly allowsExpiredRoots: boolean;
  readonly allowsAnyRoot: boolean;
  readonly validatesCertificateChain: boolean;
  /** A name to check, null for no name check, undefined for the pair's host name. */
  readonly peerName: string | null | undefined;
  readonly certificates: SSLCertificates | undefined;
  readonly isServer: boolean;
  /** kCFStreamSSLTrustedRoots: anchors trusted besides the system roots. */
  readonly trustedRoots: readonly X509Certificate[];
  /** kCFStreamSSLClientSideAuthenticate (server mode only). */
  readonly clientSideAuthenticate: SSLAuthenticate;
}

const KNOWN_KEYS = new Set([
  kCFStreamSSLLevel,
  kCFStreamSSLAllowsExpiredCertificates,
  kCFStreamSSLAllowsExpiredRoots,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLValidatesCertificateChain,
  kCFStreamSSLPeerName,
  kCFStreamSSLCertificates,
  kCFStreamSSLIsServer,
  kCFStreamSSLTrustedRoots,
  kCFStreamSSLClientSideAuthenticate,
]);

/** Validates a kCFStreamPropertySSLSettings dictionary; throws TypeError with a clear message for a wrong type or unknown level. */
export function parseSSLSettings(value: unknown): SSLSettings {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `SSL settings must be an object keyed by kCFStreamSSL* names; got ${describe(value)}`,
    );
  }
  const dict = value as Record<string, unknown>;
  // Unknown keys are refused (CF ignores them) because here they are almost always typos
  // that would otherwise silently weaken or skip a check.
  for (const key of Object.keys(dict)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new TypeError(
        `unknown SSL settings key ${JSON.stringify(key)}; known keys: ${[...KNOWN_KEYS].join(', ')}`,
      );
    }
  }
  const isServer = optionalBoolean(dict, kCFStreamSSLIsServer, false);
  const certificates =
    dict[kCFStreamSSLCertificates] === undefined
      ? undefined
      : parseCertificates(dict[kCFStreamSSLCertificates]);
  if (isServer && certificates === undefined) {
    throw new TypeError(
      `${kCFStreamSSLIsServer} needs ${kCFStreamSSLCertificates}: a server must present an identity`,
    );
  }
  return {
    level:
      dict[kCFStreamSSLLevel] === undefined ? undefined : parseLevelKey(dict[kCFStreamSSLLevel]),
    allowsExpiredCertificates: optionalBoolean(dict, kCFStreamSSLAllowsExpiredCertificates, false),
    allowsExpiredRoots: optionalBoolean(dict, kCFStreamSSLAllowsExpiredRoots, false),
    allowsAnyRoot: optionalBoolean(dict, kCFStreamSSLAllowsAnyRoot, false),
    validatesCertificateChain: optionalBoolean(dict, kCFStreamSSLValidatesCertificateChain, true),
    peerName: parsePeerName(dict[kCFStreamSSLPeerName]),
    certificates,
    isServer,
    trustedRoots: parseTrustedRoots(dict[kCFStreamSSLTrustedRoots]),
    clientSideAuthenticate: parseAuthenticate(dict[kCFStreamSSLClientSideAuthenticate]),
  };
}

function parseLevelKey(value: unknown): SecurityLevel {
  try {
    return parseSecurityLevel(value);
  } catch (error) {
    throw new TypeError(`${kCFStreamSSLLevel}: ${(error as Error).message}`);
  }
}

function optionalBoolean(dict: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = dict[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(`${key} must be a boolean; got ${describe(value)}`);
  return value;
}

function parsePeerName(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.length === 0 || value === '.') {
    throw new TypeError(
      `${kCFStreamSSLPeerName} must be a host name, or null for no name check; got ${describe(value)}`,
    );
  }
  return value;
}

function parseAuthenticate(value: unknown): SSLAuthenticate {
  if (value === undefined) return SSLAuthenticate.Never;
  if (value === 0 || value === 1 || value === 2) return value;
  throw new TypeError(
    `${kCFStreamSSLClientSideAuthenticate} must be kNeverAuthenticate (0), kAlwaysAuthenticate (1) or kTryAuthenticate (2); got ${describe(value)}`,
  );
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

// Callers set the same PEM text on pair after pair; parsing it is a good part of a TLS
// open's CPU. X509Certificate objects are immutable, so parses are shared, keyed by
// the text (DER as latin1), for a bounded number of recent texts.
const MAX_PARSED = 64;
const parsed = new Map<string, readonly X509Certificate[]>();

/** Every certificate in one input: a PEM bundle may hold several. */
function toCertificates(input: unknown, what: string): X509Certificate[] {
  const { X509Certificate } = nodeCrypto();
  if (input instanceof X509Certificate) return [input];
  if (typeof input !== 'string' && !Buffer.isBuffer(input)) {
    throw new TypeError(
      `${what} must be PEM text, PEM or DER bytes, or an X509Certificate; got ${describe(input)}`,
    );
  }
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const known = parsed.get(text);
  if (known !== undefined) return [...known];
  let certificates: X509Certificate[];
  try {
    const blocks = text.match(PEM_BLOCK);
    if (blocks !== null) certificates = blocks.map((pem) => new X509Certificate(pem));
    else if (typeof input === 'string') throw new Error('no PEM certificate found');
    else certificates = [new X509Certificate(input)];
  } catch (error) {
    throw new TypeError(`${what}: not a certificate (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, certificates);
  return [...certificates];
}

function parseTrustedRoots(value: unknown): X509Certificate[] {
  if (value === undefined) return [];
  const inputs = Array.isArray(value) ? value : [value];
  return inputs.flatMap((input, i) => toCertificates(input, `${kCFStreamSSLTrustedRoots}[${i}]`));
}

function parseCertificates(value: unknown): SSLCertificates {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      `${kCFStreamSSLCertificates} must be an array: an identity ({ key, cert, passphrase? } or { pfx, passphrase? }) first, then its chain; got ${describe(value)}`,
    );
  }
  const [first, ...rest] = value as unknown[];
  const identity = parseIdentity(first);
  const chain = rest.flatMap((input, i) =>
    toCertificates(input, `${kCFStreamSSLCertificates}[${i + 1}]`),
  );
  if ('pfx' in identity && chain.length > 0) {
    throw new TypeError(
      `${kCFStreamSSLCertificates}: a PKCS#12 identity carries its own chain; pass no further certificates`,
    );
  }
  return { identity, chain };
}

function parseIdentity(value: unknown): SSLIdentity {
  const what = `${kCFStreamSSLCertificates}[0]`;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(
      `${what} must be an identity { key, cert, passphrase? } or { pfx, passphrase? }; got ${describe(value)}`,
    );
  }
  const { key, cert, pfx, passphrase } = value as Record<string, unknown>;
  if (passphrase !== undefined && typeof passphrase !== 'string') {
    throw new TypeError(`${what}.passphrase must be a string; got ${describe(passphrase)}`);
  }
  const secret = passphrase === undefined ? {} : { passphrase };
  if (pfx !== undefined) {
    if (!Buffer.isBuffer(pfx))
      throw new TypeError(`${what}.pfx must be a Buffer (PKCS#12); got ${describe(pfx)}`);
    try {
      nodeTls().createSecureContext({ pfx, ...secret });
    } catch (error) {
      throw new TypeError(`${what}.pfx cannot be loaded: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { pfx, ...secret };
  }
  if (typeof key !== 'string' && !Buffer.isBuffer(key)) {
    throw new TypeError(
      `${what}.key must be a PEM private key (string or Buffer); got ${describe(key)}`,
    );
  }
  const [certificate] = toCertificates(cert, `${what}.cert`);
  let matches: boolean;
  try {
    matches = certificate!.checkPrivateKey(nodeCrypto().createPrivateKey({ key, ...secret }));
  } catch (error) {
    throw new TypeError(`${what}.key cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!matches) throw new TypeError(`${what}: the private key does not belong to the certificate`);
  return { key, cert: certificate!, ...secret };
}
