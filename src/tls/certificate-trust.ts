/**
 * CF-style evaluation of a peer's certificate chain. Node verifies with
 * `rejectUnauthorized: false` and hands us OpenSSL's verdict; this module
 * decides, so that each SSL setting excuses exactly one kind of fault:
 * AllowsExpiredCertificates expired or not-yet-valid certificates,
 * AllowsExpiredRoots the same for the root, AllowsAnyRoot an untrusted
 * self-signed root or leaf, PeerName null the name, and
 * ValidatesCertificateChain false everything but the name.
 *
 * OpenSSL reports only the last fault it met, and it checks dates last, so
 * "expired" can hide an unknown root or a broken chain. Whenever OpenSSL
 * found a fault, the chain is therefore re-examined here (issuer links,
 * signatures, CA flags, trust anchor, dates) and every fault found counts.
 */
import type { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { SSLError } from '../error-codes.js';
import type { StreamError } from '../errors.js';
import { nodeCrypto } from './node-tls.js';
import { sslCodeForVerifyError, sslError } from './tls-errors.js';
import { defaultTrustStore, type TrustStore } from './trust-store.js';

/** The kinds of fault, most serious first: the first one not excused is reported. */
const Fault = {
  ChainInvalid: 'ChainInvalid',
  SelfSignedLeaf: 'SelfSignedLeaf',
  UnknownRoot: 'UnknownRoot',
  RootExpired: 'RootExpired',
  RootNotYetValid: 'RootNotYetValid',
  Expired: 'Expired',
  NotYetValid: 'NotYetValid',
  NameMismatch: 'NameMismatch',
} as const;
type Fault = (typeof Fault)[keyof typeof Fault];

const CODE: Readonly<Record<Fault, number>> = {
  ChainInvalid: SSLError.errSSLXCertChainInvalid,
  SelfSignedLeaf: SSLError.errSSLNoRootCert,
  UnknownRoot: SSLError.errSSLUnknownRootCert,
  RootExpired: SSLError.errSSLCertExpired,
  RootNotYetValid: SSLError.errSSLCertNotYetValid,
  Expired: SSLError.errSSLCertExpired,
  NotYetValid: SSLError.errSSLCertNotYetValid,
  NameMismatch: SSLError.errSSLHostNameMismatch,
};

/** The settings that excuse faults (a subset of SSLSettings). */
export interface TrustPolicy {
  readonly allowsExpiredCertificates: boolean;
  readonly allowsExpiredRoots: boolean;
  readonly allowsAnyRoot: boolean;
  readonly validatesCertificateChain: boolean;
}

/** What the date check reads of a certificate; an X509Certificate has it. */
export interface DatedCertificate {
  readonly subject: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** The peer's chain with OpenSSL's verdict on it (see {@link peerChain}). */
export type ChainVerdict =
  /** OpenSSL found no fault: its dates are checked again, the leaf's at least. */
  | { readonly verifyError: null; readonly chain: readonly DatedCertificate[] }
  /**
   * OpenSSL's verification code (`authorizationError`), or undefined when its
   * verdict is not available (then only our own checks count): the chain as
   * Node built it, leaf first (see {@link peerCertificates}), is re-examined.
   */
  | { readonly verifyError: string | undefined; readonly chain: readonly X509Certificate[] };

/** What the handshake left to judge. */
export type TrustInput = ChainVerdict & {
  /** The result of the host name check, or undefined when it passed or was skipped. */
  readonly nameError: Error | undefined;
  readonly policy: TrustPolicy;
  /** Whether a self-signed certificate is a trust anchor (see {@link trustAnchors}). */
  readonly isAnchor: (cert: X509Certificate) => boolean;
  /** The time to judge dates against (milliseconds since the epoch). */
  readonly now: number;
};

/** Decides whether a peer's chain is acceptable under CF's rules: undefined if so, else the SSL error to report. */
export function evaluateTrust(input: TrustInput): StreamError | undefined {
  const faults = new Map<Fault, string>();
  const add = (fault: Fault, why: string) => {
    if (!faults.has(fault)) faults.set(fault, why);
  };
  if (input.policy.validatesCertificateChain) {
    if (input.chain.length === 0) add(Fault.ChainInvalid, 'the peer sent no certificate');
    else if (input.verifyError !== null) {
      const { chain } = input;
      examineChain(chain, input.isAnchor, add);
      const isRoot = (i: number) => i > 0 && i === chain.length - 1 && isSelfSigned(chain[i]!);
      const datesFaulty = examineDates(chain, input.now, add, isRoot);
      if (input.verifyError !== undefined) addOpenSSLFault(input.verifyError, datesFaulty, add);
    } else {
      // OpenSSL built a trusted chain and checked every date. The dates of what the
      // caller passed (the leaf may come alone then, see ChainVerdict) are checked
      // again, so that a certificate expiring between the two checks is not let through.
      examineDates(input.chain, input.now, add, () => false);
    }
  }
  if (input.nameError !== undefined) add(Fault.NameMismatch, input.nameError.message);

  for (const fault of Object.values(Fault)) {
    const why = faults.get(fault);
    if (why !== undefined && !isExcused(fault, input.policy)) {
      const cause = fault === Fault.NameMismatch ? input.nameError : verifyCause(input.verifyError);
      return sslError(CODE[fault], `peer certificate refused: ${why}`, cause);
    }
  }
  return undefined;
}

/**
 * OpenSSL's own verdict always counts too: it may have seen what the checks above do not
 * (key usage, path length, policy), and such a fault is excused by no setting but
 * ValidatesCertificateChain.
 */
function addOpenSSLFault(
  verifyError: string,
  datesFaulty: boolean,
  add: (fault: Fault, why: string) => void,
): void {
  const why = `OpenSSL: ${verifyError}`;
  switch (sslCodeForVerifyError(verifyError)) {
    case SSLError.errSSLNoRootCert:
      add(Fault.SelfSignedLeaf, why);
      break;
    case SSLError.errSSLUnknownRootCert:
      add(Fault.UnknownRoot, why);
      break;
    // OpenSSL does not say which certificate is out of date; our own check does.
    case SSLError.errSSLCertExpired:
      if (!datesFaulty) add(Fault.Expired, why);
      break;
    case SSLError.errSSLCertNotYetValid:
      if (!datesFaulty) add(Fault.NotYetValid, why);
      break;
    default:
      add(Fault.ChainInvalid, why);
  }
}

function isExcused(fault: Fault, policy: TrustPolicy): boolean {
  switch (fault) {
    case Fault.ChainInvalid:
      return false;
    case Fault.SelfSignedLeaf:
    case Fault.UnknownRoot:
      return policy.allowsAnyRoot;
    case Fault.RootExpired:
    case Fault.RootNotYetValid:
      return policy.allowsExpiredRoots;
    case Fault.Expired:
    case Fault.NotYetValid:
      return policy.allowsExpiredCertificates;
    case Fault.NameMismatch:
      // Name checks are skipped by PeerName null before evaluation, never excused here.
      return false;
  }
}

function verifyCause(code: string | null | undefined): Error | undefined {
  if (code === null || code === undefined) return undefined;
  return Object.assign(new Error(`certificate verification failed: ${code}`), { code });
}

function isSelfSigned(cert: X509Certificate): boolean {
  // Not checkIssued(cert): it also demands keyCertSign, which a self-signed leaf lacks.
  return cert.subject === cert.issuer && cert.verify(cert.publicKey);
}

/** Issuer links, signatures and CA flags, then the anchor at the top. */
function examineChain(
  chain: readonly X509Certificate[],
  isAnchor: (cert: X509Certificate) => boolean,
  add: (fault: Fault, why: string) => void,
): void {
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      add(Fault.ChainInvalid, `${subjectName(parent)} did not issue ${subjectName(child)}`);
    }
  }
  const top = chain[chain.length - 1]!;
  if (!isSelfSigned(top)) {
    add(
      Fault.ChainInvalid,
      `the chain is incomplete: no certificate for ${top.issuer.replace(/\n/g, ', ')}`,
    );
  } else if (!isAnchor(top)) {
    if (chain.length === 1)
      add(Fault.SelfSignedLeaf, `${subjectName(top)} is self-signed and not trusted`);
    else add(Fault.UnknownRoot, `the root ${subjectName(top)} is not trusted`);
  }
}

/** Validity dates of every certificate; `isRoot` tells the root's position (asked only for a faulty date). */
function examineDates(
  chain: readonly DatedCertificate[],
  now: number,
  add: (fault: Fault, why: string) => void,
  isRoot: (index: number) => boolean,
): boolean {
  let faulty = false;
  chain.forEach((cert, i) => {
    const expired = now > Date.parse(cert.validTo);
    if (!expired && now >= Date.parse(cert.validFrom)) return;
    faulty = true;
    // Only a faulty date needs to know whether it is the root's (a signature check).
    const root = isRoot(i);
    const name = `${root ? 'the root ' : ''}${subjectName(cert)}`;
    if (expired) {
      add(root ? Fault.RootExpired : Fault.Expired, `${name} expired on ${cert.validTo}`);
    } else {
      add(
        root ? Fault.RootNotYetValid : Fault.NotYetValid,
        `${name} is not valid before ${cert.validFrom}`,
      );
    }
  });
  return faulty;
}

/**
 * Whether a self-signed certificate is a trust anchor: one of the caller's
 * trusted roots (kCFStreamSSLTrustedRoots) or of the roots Node trusts by
 * default (trust-store.ts): the roots OpenSSL verified with.
 */
export function trustAnchors(
  trustedRoots: readonly X509Certificate[],
  store: TrustStore = defaultTrustStore(),
): (cert: X509Certificate) => boolean {
  return (cert) =>
    trustedRoots.some((root) => root.fingerprint256 === cert.fingerprint256) ||
    store.isDefaultRoot(cert);
}

function subjectName(cert: DatedCertificate): string {
  return /CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ', ');
}

/** The peer's chain for kCFStreamPropertySSLPeerCertificates (leaf first), as X509Certificate objects (node:crypto). */
export function peerCertificates(socket: TLSSocket): X509Certificate[] {
  return chainFrom(socket.getPeerCertificate(true));
}

/** What {@link evaluateTrust} and a name check need of the peer's certificates. */
export interface PeerChain {
  /** The leaf as Node describes it, for checkServerIdentity; undefined if the peer sent none. */
  readonly leaf: PeerCertificate | undefined;
  readonly verdict: ChainVerdict;
}

/**
 * The peer's certificates as the checks need them: the whole chain when
 * OpenSSL found a fault or gave no verdict (it is re-examined then), the
 * leaf's dates alone when OpenSSL found none. Describing and parsing the
 * chain costs about as much CPU as the rest of a TLS open's own work, so a
 * description Node already made of the leaf (`described`, from tls.connect's
 * checkServerIdentity call, made only when OpenSSL found no fault) is used.
 */
export function peerChain(
  socket: TLSSocket,
  verifyError: string | null | undefined,
  described?: PeerCertificate,
): PeerChain {
  if (verifyError !== null) {
    const detailed = socket.getPeerCertificate(true);
    const leaf = detailed.raw === undefined ? undefined : detailed;
    return { leaf, verdict: { verifyError, chain: chainFrom(detailed) } };
  }
  const leaf = described ?? socket.getPeerCertificate();
  if (leaf.raw === undefined) return { leaf: undefined, verdict: { verifyError, chain: [] } };
  const dates: DatedCertificate = {
    // Read only to name a faulty certificate.
    get subject() {
      return subjectLine(leaf);
    },
    validFrom: leaf.valid_from,
    validTo: leaf.valid_to,
  };
  return { leaf, verdict: { verifyError, chain: [dates] } };
}

/** A described certificate's subject as X509Certificate writes it ("CN=name", one field a line). */
function subjectLine(cert: PeerCertificate): string {
  return Object.entries(cert.subject ?? {})
    .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join('\n');
}

function chainFrom(first: DetailedPeerCertificate | undefined): X509Certificate[] {
  // getPeerCertificate(true) also appends the trust anchor from the local store when
  // the peer did not send it, which getPeerX509Certificate's issuer links do not (and
  // in Node 20 getPeerX509Certificate empties what later getPeerCertificate calls see).
  const chain: X509Certificate[] = [];
  let cert = first as Partial<DetailedPeerCertificate> | undefined;
  const seen = new Set<unknown>();
  while (cert?.raw !== undefined && !seen.has(cert)) {
    seen.add(cert);
    chain.push(new (nodeCrypto().X509Certificate)(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}
