/** Node's TLS failures mapped onto SSL-domain StreamErrors with SecureTransport codes. */
import assert from 'node:assert/strict';
import { ErrorDomain, SSLError } from '../../src/error-codes.js';
import { StreamError } from '../../src/errors.js';
import { tlsErrorToStreamError } from '../../src/tls/index.js';

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('tlsErrorToStreamError', () => {
  const table: ReadonlyArray<readonly [string, number]> = [
    ['CERT_HAS_EXPIRED', SSLError.errSSLCertExpired],
    ['CERT_NOT_YET_VALID', SSLError.errSSLCertNotYetValid],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', SSLError.errSSLNoRootCert],
    ['SELF_SIGNED_CERT_IN_CHAIN', SSLError.errSSLUnknownRootCert],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', SSLError.errSSLXCertChainInvalid],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', SSLError.errSSLXCertChainInvalid],
    ['ERR_TLS_CERT_ALTNAME_INVALID', SSLError.errSSLHostNameMismatch],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', SSLError.errSSLPeerProtocolVersion],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', SSLError.errSSLPeerProtocolVersion],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', SSLError.errSSLPeerHandshakeFail],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', SSLError.errSSLPeerBadCert],
    ['ECONNRESET', SSLError.errSSLClosedAbort],
    ['EPIPE', SSLError.errSSLClosedAbort],
    ['ERR_SSL_WRONG_VERSION_NUMBER', SSLError.errSSLProtocol],
    ['ERR_SOMETHING_NEW', SSLError.errSSLProtocol],
  ];
  for (const [code, expected] of table) {
    it(`${code} -> ${expected}`, () => {
      const cause = nodeError(code);
      const error = tlsErrorToStreamError(cause);
      assert.equal(error.domain, ErrorDomain.SSL);
      assert.equal(error.code, expected);
      assert.equal(error.cause, cause);
    });
  }

  it("keeps only the first line of OpenSSL's error stack in the message", () => {
    const error = tlsErrorToStreamError(
      nodeError('ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol\n  at deps/openssl/ssl.c:1'),
    );
    assert.match(error.message, /unsupported protocol/);
    assert.doesNotMatch(error.message, /deps\/openssl/);
  });

  it('passes SSL-domain StreamErrors through and wraps anything else', () => {
    const ssl = new StreamError(ErrorDomain.SSL, SSLError.errSSLCertExpired, 'expired');
    assert.equal(tlsErrorToStreamError(ssl), ssl);
    const posix = new StreamError(ErrorDomain.POSIX, 54, 'reset');
    assert.equal(tlsErrorToStreamError(posix).domain, ErrorDomain.SSL);
    assert.equal(tlsErrorToStreamError('a string').code, SSLError.errSSLProtocol);
  });
});
