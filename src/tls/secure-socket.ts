/**
 * Starting TLS on a connected socket, as a client or (kCFStreamSSLIsServer)
 * as a server, and resolving only once the handshake is done AND the peer's
 * certificate passed CF's checks. Node is told to accept any certificate
 * (`rejectUnauthorized: false`, no name check of its own) so that
 * certificate-trust.ts can apply the SSL settings one fault at a time;
 * nothing is written to the secured socket before that, and it is destroyed
 * if the checks fail.
 */

import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { PeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import { abortedError } from '../abort.js';
import type { SecurityLevel } from '../constants.js';
import { SSLError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { evaluateTrust, peerChain, trustAnchors } from './certificate-trust.js';
import { nodeTls } from './node-tls.js';
import { secureContextFor } from './secure-context.js';
import { effectiveSecurityLevel, protocolOptionsForLevel } from './security-level.js';
import { SSLAuthenticate, type SSLSettings } from './ssl-settings.js';
import { sslError, tlsErrorToStreamError } from './tls-errors.js';

/** What the stream core passes to {@link secureSocket}. */
export interface SecureSocketOptions {
  /** kCFStreamPropertySocketSecurityLevel; SSL settings' own level wins (see effectiveSecurityLevel). */
  readonly level: SecurityLevel;
  readonly settings: SSLSettings | undefined;
  /** The host the pair was made with, a name or a literal address (checked against the certificate's IP entries); undefined over an accepted socket. */
  readonly defaultPeerName: string | undefined;
  readonly signal: AbortSignal;
}

/**
 * Starts TLS on an already-connected socket (client, or server when
 * settings.isServer) and resolves with the secured socket once the handshake
 * and the CF-style certificate checks pass. On any failure the socket is
 * destroyed and the promise rejects with an SSL-domain StreamError; an abort
 * rejects at once with POSIX ECANCELED (or the signal's reason if that is a
 * StreamError), as the SOCKS handshake does.
 */
export async function secureSocket(
  socket: Socket,
  options: SecureSocketOptions,
): Promise<TLSSocket> {
  const { settings, signal } = options;
  const level = effectiveSecurityLevel(options.level, settings);
  // Refusals decided before the handshake send nothing: the socket is closed untouched.
  const protocol = protocolOptionsForLevel(level);
  if (protocol instanceof StreamError) return fail(socket, protocol);
  if (signal.aborted) return fail(socket, abortedError(signal, 'TLS handshake aborted'));
  let context: SecureContext;
  try {
    context = secureContextFor(level, protocol, settings);
  } catch (error) {
    return fail(socket, tlsErrorToStreamError(error));
  }

  const isServer = settings?.isServer === true;
  const peerName = settings?.peerName === undefined ? options.defaultPeerName : settings.peerName;
  let tlsSocket: TLSSocket;
  try {
    tlsSocket = isServer
      ? startServer(socket, context, settings)
      : startClient(socket, context, peerName ?? options.defaultPeerName);
  } catch (error) {
    return fail(socket, tlsErrorToStreamError(error));
  }
  try {
    await handshake(tlsSocket, isServer ? 'secure' : 'secureConnect', signal);
    const refusal = isServer
      ? judgeClient(tlsSocket, settings!)
      : judgeServer(tlsSocket, settings, peerName);
    if (refusal !== undefined) throw refusal;
  } catch (error) {
    return fail(tlsSocket, error);
  }
  return tlsSocket;
}

function fail(socket: Socket, error: unknown): never {
  // A late 'error' from a socket we give up on must not become an uncaught exception.
  socket.on('error', () => {});
  socket.destroy();
  throw error;
}

function startClient(
  socket: Socket,
  secureContext: SecureContext,
  sniName: string | undefined,
): TLSSocket {
  const name = sniName === undefined ? undefined : withoutTrailingDot(sniName);
  const tlsSocket: TLSSocket = nodeTls().connect({
    socket,
    secureContext,
    // RFC 6066 §3: SNI carries host names only, never literal addresses.
    ...(name !== undefined && isIP(name) === 0 ? { servername: name } : {}),
    rejectUnauthorized: false,
    // Node describes the peer's chain for this call when OpenSSL found no fault; keeping
    // its description spares describing it again (see peerChain).
    checkServerIdentity: (_name, described) => {
      describedPeers.set(tlsSocket, described);
      return undefined;
    },
  });
  return tlsSocket;
}

/** The peer's chain as Node described it during the handshake, by client socket. */
const describedPeers = new WeakMap<TLSSocket, PeerCertificate>();

function startServer(
  socket: Socket,
  secureContext: SecureContext,
  settings: SSLSettings | undefined,
): TLSSocket {
  const requestCert =
    settings !== undefined && settings.clientSideAuthenticate !== SSLAuthenticate.Never;
  return new (nodeTls().TLSSocket)(socket, {
    isServer: true,
    secureContext,
    requestCert,
    rejectUnauthorized: false,
  });
}

/** Waits for the handshake: the secure event, an error, a close, or the abort signal. */
function handshake(
  socket: TLSSocket,
  event: 'secure' | 'secureConnect',
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      socket.off(event, onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onSecure = () => settle();
    const onError = (error: Error) => settle(tlsErrorToStreamError(error));
    const onClose = () =>
      settle(
        sslError(
          SSLError.errSSLClosedAbort,
          'the peer closed the connection during the TLS handshake',
        ),
      );
    const onAbort = () => settle(abortedError(signal, 'TLS handshake aborted'));
    socket.once(event, onSecure);
    socket.on('error', onError);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function judgeServer(
  socket: TLSSocket,
  settings: SSLSettings | undefined,
  peerName: string | null | undefined,
): StreamError | undefined {
  const verifyError = verifyErrorOf(socket);
  const { leaf, verdict } = peerChain(socket, verifyError, describedPeers.get(socket));
  let nameError: Error | undefined;
  if (typeof peerName === 'string') {
    nameError =
      leaf === undefined
        ? new Error(`no certificate to check the name ${peerName} against`)
        : nodeTls().checkServerIdentity(withoutTrailingDot(peerName), leaf);
  }
  return evaluateTrust({
    ...verdict,
    nameError,
    policy: settings ?? DEFAULT_POLICY,
    isAnchor: trustAnchors(settings?.trustedRoots ?? []),
    now: Date.now(),
  });
}

/** A server judges the client's certificate only when it asked for one; it checks a name only when PeerName names one. */
function judgeClient(socket: TLSSocket, settings: SSLSettings): StreamError | undefined {
  if (settings.clientSideAuthenticate === SSLAuthenticate.Never) return undefined;
  const verifyError = serverSideVerifyError(socket);
  const { leaf, verdict } = peerChain(socket, verifyError);
  if (leaf === undefined) {
    if (settings.clientSideAuthenticate === SSLAuthenticate.Try) return undefined;
    return sslError(
      SSLError.errSSLXCertChainInvalid,
      'the client sent no certificate, and one is required',
    );
  }
  const nameError =
    typeof settings.peerName === 'string'
      ? nodeTls().checkServerIdentity(withoutTrailingDot(settings.peerName), leaf)
      : undefined;
  return evaluateTrust({
    ...verdict,
    nameError,
    policy: settings,
    isAnchor: trustAnchors(settings.trustedRoots),
    now: Date.now(),
  });
}

const DEFAULT_POLICY = {
  allowsExpiredCertificates: false,
  allowsExpiredRoots: false,
  allowsAnyRoot: false,
  validatesCertificateChain: true,
} as const;

/** OpenSSL's verification code; Node types it as an Error but stores the code string. */
function verifyErrorOf(socket: TLSSocket): string | null {
  const value: unknown = socket.authorizationError;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return String(code ?? message);
}

/**
 * OpenSSL's verdict on a client certificate. Node fills `authorizationError`
 * only for sockets a tls.Server accepted (its connection listener does it), not
 * for a TLSSocket made on an accepted net.Socket, so ask the handle as that
 * listener does. If a future Node lacks the method, undefined makes
 * certificate-trust.ts judge the chain by its own checks alone.
 */
function serverSideVerifyError(socket: TLSSocket): string | null | undefined {
  const handle = (
    socket as unknown as { _handle?: { verifyError?: () => { code?: string } | null } }
  )._handle;
  if (typeof handle?.verifyError !== 'function') return undefined;
  const error = handle.verifyError();
  return error === null || error === undefined
    ? null
    : String(error.code ?? 'UNKNOWN_VERIFY_ERROR');
}

/** "pi.local." and "pi.local" are the same host; SNI and name checks want the latter. */
function withoutTrailingDot(name: string): string {
  return name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
}
