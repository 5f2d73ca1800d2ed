/**
 * TLS for socket streams: CF's security levels and SSL settings mapped onto
 * Node's tls, with CF's defaults, checks and SecureTransport error codes.
 */
export { peerCertificates } from './certificate-trust.js';
export { type SecureSocketOptions, secureSocket } from './secure-socket.js';
export {
  effectiveSecurityLevel,
  parseSecurityLevel,
  securityLevelForProtocol,
} from './security-level.js';
export {
  type CertificateInput,
  kAlwaysAuthenticate,
  kCFStreamSSLClientSideAuthenticate,
  kCFStreamSSLTrustedRoots,
  kNeverAuthenticate,
  kTryAuthenticate,
  parseSSLSettings,
  SSLAuthenticate,
  type SSLCertificates,
  type SSLIdentity,
  type SSLSettings,
} from './ssl-settings.js';
export { tlsErrorToStreamError } from './tls-errors.js';
