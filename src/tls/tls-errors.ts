/**
 * Node and OpenSSL TLS failures as SSL-domain StreamErrors with
 * SecureTransport codes, so code written against CFNetwork can match on the
 * same numbers. The Node error is always kept as `cause`.
 */
import { ErrorDomain, SSLError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** OpenSSL's certificate-verification codes (X509_V_ERR_* names, as Node reports them). */
const byVerifyCode: Readonly<Record<string, number>> = {
  CERT_HAS_EXPIRED: SSLError.errSSLCertExpired,
  ERROR_IN_CERT_NOT_AFTER_FIELD: SSLError.errSSLCertExpired,
  CERT_NOT_YET_VALID: SSLError.errSSLCertNotYetValid,
  ERROR_IN_CERT_NOT_BEFORE_FIELD: SSLError.errSSLCertNotYetValid,
  DEPTH_ZERO_SELF_SIGNED_CERT: SSLError.errSSLNoRootCert,
  SELF_SIGNED_CERT_IN_CHAIN: SSLError.errSSLUnknownRootCert,
  // The issuer is missing: an incomplete chain. It could also be an unknown root
  // that the peer did not send, but nothing can vouch for the top certificate.
  UNABLE_TO_GET_ISSUER_CERT: SSLError.errSSLXCertChainInvalid,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: SSLError.errSSLXCertChainInvalid,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: SSLError.errSSLXCertChainInvalid,
  ERR_TLS_CERT_ALTNAME_INVALID: SSLError.errSSLHostNameMismatch,
};

/** Node's handshake error codes (ERR_SSL_* from OpenSSL reasons, and socket errors). */
const byNodeCode: Readonly<Record<string, number>> = {
  ERR_SSL_UNSUPPORTED_PROTOCOL: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_UNSUPPORTED_SSL_VERSION: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_VERSION_TOO_LOW: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_WRONG_SSL_VERSION: SSLError.errSSLPeerProtocolVersion,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: SSLError.errSSLPeerHandshakeFail,
  // The peer refused our certificate (mutual TLS).
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: SSLError.errSSLPeerBadCert,
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: SSLError.errSSLPeerBadCert,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: SSLError.errSSLPeerBadCert,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: SSLError.errSSLPeerBadCert,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: SSLError.errSSLPeerBadCert,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: SSLError.errSSLPeerBadCert,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: SSLError.errSSLPeerBadCert,
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: SSLError.errSSLXCertChainInvalid,
  // The connection went away mid-handshake.
  ECONNRESET: SSLError.errSSLClosedAbort,
  EPIPE: SSLError.errSSLClosedAbort,
  ECONNABORTED: SSLError.errSSLClosedAbort,
  ERR_STREAM_PREMATURE_CLOSE: SSLError.errSSLClosedAbort,
};

/** The SecureTransport code for an OpenSSL verification code, or undefined if it has none of its own. */
export function sslCodeForVerifyError(code: string): number | undefined {
  return byVerifyCode[code];
}

/** An SSL-domain StreamError. */
export function sslError(code: number, message: string, cause?: unknown): StreamError {
  return new StreamError(ErrorDomain.SSL, code, message, cause === undefined ? {} : { cause });
}

/** Maps any TLS failure to an SSL-domain StreamError. */
export function tlsErrorToStreamError(error: unknown): StreamError {
  if (error instanceof StreamError && error.domain === ErrorDomain.SSL) return error;
  const nodeCode = (error as { code?: unknown } | null | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof nodeCode === 'string') {
    const verified = byVerifyCode[nodeCode];
    if (verified !== undefined)
      return sslError(verified, `certificate refused: ${nodeCode}`, error);
    const known = byNodeCode[nodeCode];
    if (known !== undefined)
      return sslError(known, `TLS handshake failed: ${firstLine(message)}`, error);
  }
  // Anything else (ERR_SSL_WRONG_VERSION_NUMBER from a peer that is not speaking TLS,
  // decryption failures, ...) is SecureTransport's catch-all protocol error.
  return sslError(SSLError.errSSLProtocol, `TLS failed: ${firstLine(message)}`, error);
}

/** OpenSSL messages carry a multi-line error stack; the first line says what happened. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
