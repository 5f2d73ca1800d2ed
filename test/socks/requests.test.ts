import assert from 'node:assert/strict';
import {
  encodeSOCKS4aConnect,
  encodeSOCKS4Connect,
  encodeSOCKS5Address,
  encodeSOCKS5Connect,
  encodeSOCKS5Greeting,
  encodeUserPassRequest,
  ipv6Bytes,
} from '../../src/socks/requests.js';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('socks/requests', () => {
  it('encodes the RFC 1928 §3 greeting', () => {
    assert.equal(hex(encodeSOCKS5Greeting([0, 2])), '05020002');
    assert.throws(() => encodeSOCKS5Greeting([]), RangeError);
  });

  it('encodes the RFC 1929 §2 request with UTF-8 lengths, and refuses oversize fields without showing them', () => {
    assert.equal(hex(encodeUserPassRequest('ü', 'pw')), `0102${hex(Buffer.from('ü'))}027077`);
    assert.equal(hex(encodeUserPassRequest('u', '')), '01017500');
    assert.throws(() => encodeUserPassRequest('', 'pw'), /user name must be 1 to 255/);
    assert.throws(
      () => encodeUserPassRequest('u', `secret${'x'.repeat(250)}`),
      (e: Error) => e instanceof RangeError && !e.message.includes('secret'),
    );
  });

  it('encodes CONNECT for each address type (RFC 1928 §4, §5)', () => {
    assert.equal(hex(encodeSOCKS5Connect('127.0.0.1', 7)), '050100017f0000010007');
    assert.equal(hex(encodeSOCKS5Connect('::1', 65535)), `05010004${'00'.repeat(15)}01ffff`);
    assert.equal(hex(encodeSOCKS5Connect('a.b', 80)), `0501000303${hex(Buffer.from('a.b'))}0050`);
    assert.equal(encodeSOCKS5Address('h'.repeat(255)).length, 257);
    assert.throws(() => encodeSOCKS5Address('h'.repeat(256)), /1 to 255 UTF-8 bytes, not 256/);
    assert.throws(() => encodeSOCKS5Connect('a.b', 65536), RangeError);
  });

  it('parses every IPv6 text form into 16 bytes', () => {
    const cases: Record<string, string> = {
      '::': '00'.repeat(16),
      '::1': `${'00'.repeat(15)}01`,
      '1::': `0001${'00'.repeat(14)}`,
      '2001:db8::8:800:200c:417a': '20010db80000000000080800200c417a',
      'fe80::1%eth0': `fe80${'00'.repeat(13)}01`,
      '::ffff:192.0.2.128': `${'00'.repeat(10)}ffffc0000280`,
      '1:2:3:4:5:6:7:8': '00010002000300040005000600070008',
    };
    for (const [text, expected] of Object.entries(cases))
      assert.equal(hex(ipv6Bytes(text)), expected, text);
  });

  it('encodes SOCKS4 and SOCKS4a requests', () => {
    assert.equal(hex(encodeSOCKS4Connect('1.2.3.4', 80, '')), '04010050010203040' + '0');
    assert.equal(hex(encodeSOCKS4aConnect('h', 80, 'u')), '0401005000000001750068' + '00');
    assert.throws(() => encodeSOCKS4Connect('::1', 80, ''), TypeError);
    assert.throws(() => encodeSOCKS4Connect('1.2.3.4', 80, 'u'.repeat(513)), /at most 512/);
    assert.throws(() => encodeSOCKS4aConnect('h\0evil', 80, ''), /must not contain NUL/);
  });
});
