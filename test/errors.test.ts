import assert from 'node:assert/strict';
import { ErrorDomain, NetDBError, SOCKSSubdomain } from '../src/error-codes.js';
import {
  CFReadStreamSOCKSGetError,
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  encodeSOCKSError,
  posixError,
  StreamError,
  socksError,
  toStreamError,
} from '../src/errors.js';

describe('errors', () => {
  it('keeps domain, code and cause, and converts to a CFStreamError', () => {
    const cause = new Error('boom');
    const error = new StreamError(ErrorDomain.SSL, -9814, 'certificate expired', { cause });
    assert.equal(error.domain, 3);
    assert.equal(error.code, -9814);
    assert.equal(error.cause, cause);
    assert.deepEqual(error.toCFStreamError(), { domain: 3, error: -9814 });
    assert.match(error.message, /certificate expired \(SSL -9814\)/);
    assert.ok(error instanceof Error);
  });

  it('maps errno names to POSIX numbers of this platform', () => {
    const refused = posixError('ECONNREFUSED');
    assert.equal(refused.domain, ErrorDomain.POSIX);
    assert.equal(refused.code, 111);
    const converted = toStreamError(
      Object.assign(new Error('reset'), { code: 'ECONNRESET', syscall: 'read' }),
    );
    assert.equal(converted.domain, ErrorDomain.POSIX);
    assert.equal(converted.code, 104);
  });

  it('maps getaddrinfo failures to NetDB with Apple numbers', () => {
    const e = toStreamError(
      Object.assign(new Error('x'), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'nope.invalid',
      }),
    );
    assert.equal(e.domain, ErrorDomain.NetDB);
    assert.equal(e.code, NetDBError.EAI_NONAME);
    assert.match(e.message, /nope\.invalid/);
  });

  it('wraps unknown throwables in the Custom domain', () => {
    const e = toStreamError('weird');
    assert.equal(e.domain, ErrorDomain.Custom);
    assert.equal(e.cause, 'weird');
    const same = new StreamError(1, 2, 'x');
    assert.equal(toStreamError(same), same);
  });

  it('encodes SOCKS subdomains in the high 16 bits', () => {
    const code = encodeSOCKSError(SOCKSSubdomain.SOCKS5Response, 5);
    assert.equal(code, (5 << 16) | 5);
    const e = socksError(SOCKSSubdomain.SOCKS4Response, 91, 'request rejected');
    assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(e), 2);
    assert.equal(CFSocketStreamSOCKSGetError(e), 91);
    const cf = e.toCFStreamError();
    assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(cf), 2);
    assert.equal(CFReadStreamSOCKSGetError(cf), 91);
    assert.equal(
      CFSocketStreamSOCKSGetError({ domain: 5, error: encodeSOCKSError(4, 0xff) }),
      0xff,
    );
  });
});
