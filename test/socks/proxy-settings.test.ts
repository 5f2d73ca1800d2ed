import assert from 'node:assert/strict';
import {
  kCFStreamPropertySOCKSPassword,
  kCFStreamPropertySOCKSProxyHost,
  kCFStreamPropertySOCKSProxyPort,
  kCFStreamPropertySOCKSUser,
  kCFStreamPropertySOCKSVersion,
  kCFStreamSocketSOCKSVersion4,
  kCFStreamSocketSOCKSVersion5,
} from '../../src/constants.js';
import { ErrorDomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  StreamError,
} from '../../src/errors.js';
import { bypassesProxy, parseSOCKSProxy } from '../../src/socks/index.js';

const USER = 'alice-user-name';
const PASSWORD = 'hunter2-secret';

function throwsWithout(
  fn: () => unknown,
  kind: ErrorConstructor | RangeErrorConstructor,
  pattern: RegExp,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(USER), 'the user name leaked into the message');
    assert.ok(!error.message.includes(PASSWORD), 'the password leaked into the message');
    return true;
  });
}

describe('socks/proxy-settings: parseSOCKSProxy', () => {
  it('reads a system-settings dictionary ("SOCKSProxy", "SOCKSPort") and defaults to SOCKS5', () => {
    const settings = parseSOCKSProxy({
      SOCKSProxy: 'proxy.example',
      SOCKSPort: 1081,
      SOCKSEnable: 1,
    });
    assert.deepEqual(settings, { host: 'proxy.example', port: 1081, version: 5 });
    assert.equal(kCFStreamPropertySOCKSProxyHost, 'SOCKSProxy');
    assert.equal(kCFStreamPropertySOCKSProxyPort, 'SOCKSPort');
    assert.ok(Object.isFrozen(settings));
  });

  it('reads version constants, numbers, numeric-string ports and credentials', () => {
    const four = parseSOCKSProxy({
      [kCFStreamPropertySOCKSProxyHost]: '127.0.0.1',
      [kCFStreamPropertySOCKSProxyPort]: ' 1080 ',
      [kCFStreamPropertySOCKSVersion]: kCFStreamSocketSOCKSVersion4,
      [kCFStreamPropertySOCKSUser]: USER,
    });
    assert.deepEqual(four, { host: '127.0.0.1', port: 1080, version: 4, user: USER });
    const five = parseSOCKSProxy({
      [kCFStreamPropertySOCKSProxyHost]: '[::1]',
      [kCFStreamPropertySOCKSProxyPort]: 9050,
      [kCFStreamPropertySOCKSVersion]: kCFStreamSocketSOCKSVersion5,
      [kCFStreamPropertySOCKSUser]: USER,
      [kCFStreamPropertySOCKSPassword]: PASSWORD,
    });
    assert.deepEqual(five, { host: '::1', port: 9050, version: 5, user: USER, password: PASSWORD });
    assert.equal(
      parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: 1, [kCFStreamPropertySOCKSVersion]: 4 })
        .version,
      4,
    );
  });

  it('uses port 1080 when the dictionary names none, and treats empty credentials as absent', () => {
    const settings = parseSOCKSProxy({
      SOCKSProxy: 'p',
      [kCFStreamPropertySOCKSUser]: '',
      [kCFStreamPropertySOCKSPassword]: null,
    });
    assert.deepEqual(settings, { host: 'p', port: 1080, version: 5 });
    assert.ok(!('user' in settings));
  });

  it('refuses values of the wrong type with a TypeError', () => {
    for (const value of [null, undefined, 'SOCKSProxy', 1080, ['SOCKSProxy']]) {
      throwsWithout(
        () => parseSOCKSProxy(value),
        TypeError,
        /kCFStreamPropertySOCKSProxy must be a dictionary/,
      );
    }
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSPort: 1080 }),
      TypeError,
      /SOCKSProxyHost\) must be a string/,
    );
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: '10x' }),
      TypeError,
      /number or a numeric string/,
    );
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: true }),
      TypeError,
      /number or a numeric string/,
    );
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSProxy: 'p', [kCFStreamPropertySOCKSUser]: 42 }),
      TypeError,
      /kCFStreamPropertySOCKSUser must be a string/,
    );
    throwsWithout(
      () =>
        parseSOCKSProxy({
          SOCKSProxy: 'p',
          [kCFStreamPropertySOCKSPassword]: { secret: PASSWORD },
        }),
      TypeError,
      /kCFStreamPropertySOCKSPassword must be a string/,
    );
  });

  it('refuses ports outside 1-65535 with the port rule RangeError', () => {
    for (const port of [0, -1, 65536, 1.5, Number.NaN, '0', '70000']) {
      throwsWithout(
        () => parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: port }),
        RangeError,
        /kCFStreamPropertySOCKSProxyPort must be an integer from 1 to 65535/,
      );
    }
    assert.equal(parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: 65535 }).port, 65535);
  });

  it('refuses a host over 255 UTF-8 bytes, or empty', () => {
    assert.equal(parseSOCKSProxy({ SOCKSProxy: 'h'.repeat(255) }).host.length, 255);
    // 128 two-byte characters: 128 characters, 256 bytes.
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSProxy: 'é'.repeat(128) }),
      RangeError,
      /256 UTF-8 bytes; at most 255/,
    );
    throwsWithout(() => parseSOCKSProxy({ SOCKSProxy: '' }), RangeError, /must not be empty/);
  });

  it('refuses a SOCKS5 user or password over 255 bytes without showing it', () => {
    const long = `${USER}${'x'.repeat(256)}`;
    const longPassword = `${PASSWORD}${'x'.repeat(256)}`;
    throwsWithout(
      () => parseSOCKSProxy({ SOCKSProxy: 'p', [kCFStreamPropertySOCKSUser]: long }),
      RangeError,
      /SOCKS5 allows at most 255/,
    );
    throwsWithout(
      () =>
        parseSOCKSProxy({
          SOCKSProxy: 'p',
          [kCFStreamPropertySOCKSUser]: USER,
          [kCFStreamPropertySOCKSPassword]: longPassword,
        }),
      RangeError,
      /kCFStreamPropertySOCKSPassword is \d+ UTF-8 bytes; at most 255/,
    );
    const max = 'é'.repeat(127); // 254 bytes
    assert.equal(parseSOCKSProxy({ SOCKSProxy: 'p', [kCFStreamPropertySOCKSUser]: max }).user, max);
  });

  it('allows a SOCKS4 user id up to 512 bytes, without NUL', () => {
    const socks4 = {
      SOCKSProxy: 'p',
      [kCFStreamPropertySOCKSVersion]: kCFStreamSocketSOCKSVersion4,
    };
    assert.equal(
      parseSOCKSProxy({ ...socks4, [kCFStreamPropertySOCKSUser]: 'u'.repeat(512) }).user?.length,
      512,
    );
    throwsWithout(
      () =>
        parseSOCKSProxy({ ...socks4, [kCFStreamPropertySOCKSUser]: `${USER}${'u'.repeat(513)}` }),
      RangeError,
      /SOCKS4 allows at most 512/,
    );
    throwsWithout(
      () => parseSOCKSProxy({ ...socks4, [kCFStreamPropertySOCKSUser]: `${USER}\0x` }),
      RangeError,
      /must not contain NUL/,
    );
  });

  it('refuses an unknown version with SOCKS subdomain None, UnknownClientVersion (3)', () => {
    for (const version of [3, 6, 'kCFStreamSocketSOCKSVersion6', {}]) {
      assert.throws(
        () => parseSOCKSProxy({ SOCKSProxy: 'p', [kCFStreamPropertySOCKSVersion]: version }),
        (error: unknown) => {
          assert.ok(error instanceof StreamError);
          assert.equal(error.domain, ErrorDomain.SOCKS);
          assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), 0);
          assert.equal(CFSocketStreamSOCKSGetError(error), 3);
          assert.equal(error.code, 3);
          return true;
        },
      );
    }
  });
});

describe('socks/proxy-settings: bypassesProxy', () => {
  it('bypasses simple names and .local names', () => {
    for (const host of [
      'printer',
      'mylocal',
      'localhost',
      'raspberrypi',
      'printer.local',
      'Printer.LOCAL',
      'name.local.',
      'a.b.local',
    ]) {
      assert.equal(bypassesProxy(host), true, host);
    }
  });

  it('sends dotted names, literal addresses and look-alikes through the proxy', () => {
    for (const host of [
      'example.com',
      'printer.local.example.com',
      'printer.locals',
      '127.0.0.1',
      '192.168.1.20',
      '::1',
      '[::1]',
      'fe80::1%lo',
      'foo.',
      '',
    ]) {
      assert.equal(bypassesProxy(host), false, host);
    }
  });
});
