/**
 * Which roots Node's TLS trusts by default, so that our secure contexts and
 * our re-examination of a chain (certificate-trust.ts) trust the same ones
 * OpenSSL does: the bundled Mozilla roots or, under --use-openssl-ca,
 * OpenSSL's own store; the system store under --use-system-ca; and the file
 * named by NODE_EXTRA_CA_CERTS in every case (see `node --help`).
 *
 * What the running Node offers differs by version (tls.getCACertificates
 * exists from Node 22.15 and 23.10, --use-system-ca from 22.15 and 23.8), so
 * those facts are read in one place, {@link platformTrustFacts}, and
 * everything else is a pure function of them that tests drive with made-up
 * facts.
 */
import type { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto, nodeTls } from './node-tls.js';

/** The kinds tls.getCACertificates knows. */
export type CACertificateKind = 'default' | 'system' | 'bundled' | 'extra';

/** What the running Node tells about its default trust store. */
export interface PlatformTrustFacts {
  /** tls.getCACertificates, or undefined where Node lacks it (Node 20). */
  readonly getCACertificates: ((kind: CACertificateKind) => readonly string[]) | undefined;
  /** tls.rootCertificates: the bundled Mozilla roots. */
  readonly bundledRoots: readonly string[];
  /** Node was started with --use-openssl-ca (on its command line or in NODE_OPTIONS). */
  readonly usesOpenSSLStore: boolean;
  /** Node was started with --use-system-ca. */
  readonly usesSystemStore: boolean;
  /** NODE_EXTRA_CA_CERTS, or undefined. */
  readonly extraCertsFile: string | undefined;
  /** OpenSSL's default CA file and hashed directories (SSL_CERT_FILE, SSL_CERT_DIR, else its OPENSSLDIR). */
  readonly openSSLCertFile: string | undefined;
  readonly openSSLCertDirs: readonly string[];
  /**
   * A secure context's native handle can add a CA to a private copy of Node's
   * default store (`addCACert`, copy-on-write since Node 12). That copy keeps
   * the bundled roots or OpenSSL's store, but in Node 20 not the certificates
   * of NODE_EXTRA_CA_CERTS or the system store, so those are added again.
   */
  readonly canExtendDefaultStore: boolean;
  /** Reads a text file; undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
  /** Lists a directory's entries; empty when it cannot be read. */
  readonly listDirectory: (path: string) => readonly string[];
}

/** How to give a secure context Node's default roots plus our own. */
export type ContextRoots =
  /** Build on Node's default store and add these certificates to a copy of it. */
  | { readonly kind: 'extend'; readonly add: readonly string[] }
  /** Pass these as `ca`, which replaces the default store. */
  | { readonly kind: 'replace'; readonly ca: readonly string[] };

/** Node's default trust, as secure contexts and the chain re-examination need it. */
export interface TrustStore {
  /** How a secure context trusts the default roots and `trustedRoots` (PEM) besides. */
  contextRoots(trustedRoots: readonly string[]): ContextRoots;
  /** Whether a certificate is one of the roots Node's default contexts trust. */
  isDefaultRoot(cert: X509Certificate): boolean;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
// OpenSSL's hashed directory lookup reads only files named after a subject hash.
const HASHED_NAME = /^[0-9a-f]{8}\.\d+$/;

/** The PEM certificates in a text (a bundle may hold many; anything else is skipped). */
function pemBlocks(text: string | undefined): string[] {
  return text?.match(PEM_BLOCK) ?? [];
}

/** A trust store judged from `facts`; files are read once, on first use. */
export function createTrustStore(facts: PlatformTrustFacts): TrustStore {
  let extra: readonly string[] | undefined;
  let openSSLStore: readonly string[] | undefined;
  let defaultRoots: Set<string> | undefined;

  /** NODE_EXTRA_CA_CERTS: Node reads it at start-up and warns (then ignores it) if unreadable. */
  const extraCertificates = (): readonly string[] => {
    extra ??=
      facts.getCACertificates?.('extra') ??
      (facts.extraCertsFile === undefined ? [] : pemBlocks(facts.readFile(facts.extraCertsFile)));
    return extra;
  };
  const systemCertificates = (): readonly string[] =>
    facts.usesSystemStore ? (facts.getCACertificates?.('system') ?? []) : [];
  const openSSLCertificates = (): readonly string[] => {
    openSSLStore ??= [
      ...(facts.openSSLCertFile === undefined
        ? []
        : pemBlocks(facts.readFile(facts.openSSLCertFile))),
      ...facts.openSSLCertDirs.flatMap((dir) =>
        facts
          .listDirectory(dir)
          .filter((name) => HASHED_NAME.test(name))
          .flatMap((name) => pemBlocks(facts.readFile(join(dir, name)))),
      ),
    ];
    return openSSLStore;
  };
  /** Every root a default context trusts, as PEM. */
  const defaultRootPems = (): readonly string[] => {
    // getCACertificates('default') follows every flag but --use-openssl-ca, whose store
    // OpenSSL reads from disk on demand and Node never lists.
    const listed = facts.getCACertificates?.('default') ?? [
      ...(facts.usesOpenSSLStore ? [] : facts.bundledRoots),
      ...extraCertificates(),
    ];
    return facts.usesOpenSSLStore ? [...listed, ...openSSLCertificates()] : listed;
  };

  return {
    contextRoots(trustedRoots) {
      if (facts.canExtendDefaultStore) {
        return {
          kind: 'extend',
          add: [...extraCertificates(), ...systemCertificates(), ...trustedRoots],
        };
      }
      return { kind: 'replace', ca: [...defaultRootPems(), ...trustedRoots] };
    },
    isDefaultRoot(cert) {
      defaultRoots ??= new Set(
        defaultRootPems().flatMap((pem) => {
          try {
            return [new (nodeCrypto().X509Certificate)(pem).fingerprint256];
          } catch {
            return []; // OpenSSL skips a certificate it cannot read; so do we.
          }
        }),
      );
      return defaultRoots.has(cert.fingerprint256);
    },
  };
}

/** Whether `flag` was given to Node, on its command line or in NODE_OPTIONS. */
function nodeFlag(flag: string): boolean {
  const options = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
  return process.execArgv.includes(flag) || options.includes(flag);
}

/**
 * OpenSSL's OPENSSLDIR, where it looks for cert.pem and certs/ unless
 * SSL_CERT_FILE / SSL_CERT_DIR say otherwise. Node's own OpenSSL is built
 * with /etc/ssl (macOS: /System/Library/OpenSSL); a shared OpenSSL's is not
 * visible from JavaScript, so then only the environment counts.
 */
function openSSLDirectory(): string | undefined {
  const variables = process.config.variables as { node_shared_openssl?: boolean };
  if (variables.node_shared_openssl === true || process.platform === 'win32') return undefined;
  return process.platform === 'darwin' ? '/System/Library/OpenSSL' : '/etc/ssl';
}

/** The facts of the running Node. */
export function platformTrustFacts(): PlatformTrustFacts {
  const tls = nodeTls();
  const getCACertificates = (tls as { getCACertificates?: (kind: CACertificateKind) => string[] })
    .getCACertificates;
  const dir = openSSLDirectory();
  const certDirs = process.env.SSL_CERT_DIR ?? (dir === undefined ? '' : join(dir, 'certs'));
  const native = tls.createSecureContext().context as { addCACert?: unknown } | undefined;
  return {
    getCACertificates: getCACertificates?.bind(tls),
    bundledRoots: tls.rootCertificates,
    usesOpenSSLStore: nodeFlag('--use-openssl-ca'),
    usesSystemStore: nodeFlag('--use-system-ca'),
    extraCertsFile: process.env.NODE_EXTRA_CA_CERTS || undefined,
    openSSLCertFile:
      process.env.SSL_CERT_FILE ?? (dir === undefined ? undefined : join(dir, 'cert.pem')),
    openSSLCertDirs: certDirs.split(process.platform === 'win32' ? ';' : ':').filter(Boolean),
    canExtendDefaultStore: typeof native?.addCACert === 'function',
    readFile: (path) => {
      try {
        return readFileSync(path, 'latin1');
      } catch {
        return undefined;
      }
    },
    listDirectory: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}

let current: TrustStore | undefined;

/** The trust store of the running Node, made on first use. */
export function defaultTrustStore(): TrustStore {
  current ??= createTrustStore(platformTrustFacts());
  return current;
}
