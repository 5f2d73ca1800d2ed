import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args.js';
import { parseTxt } from '../../src/cli/commands/publish.js';
import { connectProperties } from '../../src/cli/connect-settings.js';
import { StreamError } from '../../src/errors.js';

describe('cli/connect-settings', () => {
  it('sets nothing without TLS or SOCKS options', () => {
    assert.deepEqual(connectProperties({}), []);
  });

  it('maps the TLS options onto the security level and the SSL settings keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfstream-settings-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      assert.deepEqual(
        connectProperties({
          'no-verify-name': true,
          ca: [join(dir, 'ca.pem')],
          'allow-expired': true,
          'allow-any-root': true,
        }),
        [
          ['kCFStreamPropertySocketSecurityLevel', 'kCFStreamSocketSecurityLevelNegotiatedSSL'],
          [
            'kCFStreamPropertySSLSettings',
            {
              kCFStreamSSLPeerName: null,
              kCFStreamSSLTrustedRoots: ['CA'],
              kCFStreamSSLAllowsExpiredCertificates: true,
              kCFStreamSSLAllowsExpiredRoots: true,
              kCFStreamSSLAllowsAnyRoot: true,
            },
          ],
        ],
      );
      assert.deepEqual(connectProperties({ tls: true })[1], ['kCFStreamPropertySSLSettings', {}]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the SOCKS options, with the password from the environment only', () => {
    assert.deepEqual(
      connectProperties(
        { socks: '[::1]:1080', 'socks-version': '4', 'socks-user': 'me' },
        { CFSTREAM_SOCKS_PASSWORD: 'pw' },
      ),
      [
        [
          'kCFStreamPropertySOCKSProxy',
          {
            SOCKSProxy: '::1',
            SOCKSPort: 1080,
            kCFStreamPropertySOCKSVersion: 'kCFStreamSocketSOCKSVersion4',
            kCFStreamPropertySOCKSUser: 'me',
            kCFStreamPropertySOCKSPassword: 'pw',
          },
        ],
      ],
    );
  });

  it('refuses contradictions as usage errors and unreadable files as POSIX errors', () => {
    assert.throws(() => connectProperties({ cert: 'c' }), UsageError);
    assert.throws(() => connectProperties({ 'socks-user': 'u' }), UsageError);
    assert.throws(
      () => connectProperties({ ca: ['/nonexistent/ca.pem'] }),
      (error: unknown) => error instanceof StreamError && error.domain === 1 && error.code === 2,
    );
  });

  it('parses publish TXT arguments: key=value, a bare key, no repeated keys', () => {
    assert.deepEqual(parseTxt(['a=1', 'b=', 'flag', 'eq=x=y']), {
      a: '1',
      b: '',
      flag: true,
      eq: 'x=y',
    });
    assert.throws(() => parseTxt(['a=1', 'A=2']), UsageError);
    assert.throws(() => parseTxt(['=v']), UsageError);
  });
});
