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
import * as cfsocketstream from '../src/index.js';

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

  it('exports every spelling of the SOCKS error getters from the package root', () => {
    const error = { domain: 5, error: encodeSOCKSError(SOCKSSubdomain.SOCKS4Response, 92) };
    const getters = {
      CFSocketStreamSOCKSGetError: 92,
      CFSocketStreamSOCKSError: 92,
      CFReadStreamSOCKSGetError: 92,
      CFReadStreamSOCKSError: 92,
      CFSocketStreamSOCKSGetErrorSubdomain: 2,
      CFReadStreamSOCKSGetErrorSubdomain: 2,
      CFReadStreamSOCKSErrorSubdomain: 2,
    } as const;
    const root = cfsocketstream as unknown as Record<string, unknown>;
    for (const [name, expected] of Object.entries(getters)) {
      const getter = root[name];
      assert.equal(typeof getter, 'function', `${name} is not exported`);
      assert.equal((getter as (e: unknown) => number)(error), expected, name);
    }
    // The codes themselves are CF's anonymous enums: SOCKSError and the kCFStreamErrorSOCKS* names.
    assert.equal(cfsocketstream.SOCKSError.SOCKS4IdentdFailed, 92);
    assert.equal(cfsocketstream.kCFStreamErrorSOCKS4IdentdFailed, 92);
  });
});
