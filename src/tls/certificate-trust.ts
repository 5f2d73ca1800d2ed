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
import { X509Certificate } from 'node:crypto';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { SSLError } from '../error-codes.js';
import type { StreamError } from '../errors.js';
import { sslCodeForVerifyError, sslError } from './tls-errors.js';

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

/** What the handshake left to judge. */
export interface TrustInput {
  /** The peer's chain as Node built it, leaf first (see {@link peerCertificates}). */
  readonly chain: readonly X509Certificate[];
  /**
   * OpenSSL's verification code (`authorizationError`), null when it found no
   * fault, undefined when its verdict is not available (then only our own checks count).
   */
  readonly verifyError: string | null | undefined;
  /** The result of the host name check, or undefined when it passed or was skipped. */
  readonly nameError: Error | undefined;
  readonly policy: TrustPolicy;
  /** Anchors trusted besides the system roots (kCFStreamSSLTrustedRoots). */
  readonly trustedRoots: readonly X509Certificate[];
  /** The time to judge dates against (milliseconds since the epoch). */
  readonly now: number;
}

/** Decides whether a peer's chain is acceptable under CF's rules: undefined if so, else the SSL error to report. */
export function evaluateTrust(input: TrustInput): StreamError | undefined {
  const faults = new Map<Fault, string>();
  const add = (fault: Fault, why: string) => {
    if (!faults.has(fault)) faults.set(fault, why);
  };
  if (input.policy.validatesCertificateChain) {
    if (input.chain.length === 0) add(Fault.ChainInvalid, 'the peer sent no certificate');
    else if (input.verifyError !== null) {
      examineChain(input.chain, input.trustedRoots, add);
      const datesFaulty = examineDates(input.chain, input.now, add);
      if (input.verifyError !== undefined) addOpenSSLFault(input.verifyError, datesFaulty, add);
    } else {
      // OpenSSL built a trusted chain and checked its dates as we would; repeat the
      // date check so that a clock edge between the two cannot make them disagree.
      examineDates(input.chain, input.now, add);
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
  trustedRoots: readonly X509Certificate[],
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
  } else if (!isAnchor(top, trustedRoots)) {
    if (chain.length === 1)
      add(Fault.SelfSignedLeaf, `${subjectName(top)} is self-signed and not trusted`);
    else add(Fault.UnknownRoot, `the root ${subjectName(top)} is not trusted`);
  }
}

/** Validity dates of every certificate; the self-signed top of a longer chain is the root. */
function examineDates(
  chain: readonly X509Certificate[],
  now: number,
  add: (fault: Fault, why: string) => void,
): boolean {
  let faulty = false;
  chain.forEach((cert, i) => {
    const isRoot = i > 0 && i === chain.length - 1 && isSelfSigned(cert);
    const name = `${isRoot ? 'the root ' : ''}${subjectName(cert)}`;
    if (now > Date.parse(cert.validTo)) {
      faulty = true;
      add(isRoot ? Fault.RootExpired : Fault.Expired, `${name} expired on ${cert.validTo}`);
    } else if (now < Date.parse(cert.validFrom)) {
      faulty = true;
      add(
        isRoot ? Fault.RootNotYetValid : Fault.NotYetValid,
        `${name} is not valid before ${cert.validFrom}`,
      );
    }
  });
  return faulty;
}

let systemAnchors: Set<string> | undefined;

/** Whether a self-signed certificate is one of the system roots or the caller's trusted roots. */
function isAnchor(cert: X509Certificate, trustedRoots: readonly X509Certificate[]): boolean {
  if (trustedRoots.some((root) => root.fingerprint256 === cert.fingerprint256)) return true;
  // Parsed once per process: about 140 certificates, a few milliseconds.
  systemAnchors ??= new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256));
  return systemAnchors.has(cert.fingerprint256);
}

function subjectName(cert: X509Certificate): string {
  return /CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ', ');
}

/** The peer's chain for kCFStreamPropertySSLPeerCertificates (leaf first), as X509Certificate objects (node:crypto). */
export function peerCertificates(socket: TLSSocket): X509Certificate[] {
  // getPeerCertificate(true) also appends the trust anchor from the local store when
  // the peer did not send it, which getPeerX509Certificate's issuer links do not.
  const chain: X509Certificate[] = [];
  let cert = socket.getPeerCertificate(true) as
    | Partial<import('node:tls').DetailedPeerCertificate>
    | undefined;
  const seen = new Set<unknown>();
  while (cert?.raw !== undefined && !seen.has(cert)) {
    seen.add(cert);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}
