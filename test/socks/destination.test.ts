import assert from 'node:assert/strict';
import { ErrorDomain, NetDBError } from '../../src/error-codes.js';
import { StreamError } from '../../src/errors.js';
import { checkDestination, resolveSOCKS4Target } from '../../src/socks/destination.js';

const proxy = 'SOCKS4 proxy 127.0.0.1:1080';

describe('socks/destination', () => {
  it('accepts names up to 255 UTF-8 bytes and ports 1-65535', () => {
    assert.equal(checkDestination({ host: 'h'.repeat(255), port: 1 }, proxy), undefined);
    assert.equal(checkDestination({ host: '::1', port: 65535 }, proxy), undefined);
  });

  it('refuses a name over 255 bytes as POSIX ENAMETOOLONG', () => {
    const error = checkDestination({ host: 'é'.repeat(128), port: 80 }, proxy);
    assert.ok(error instanceof StreamError);
    assert.equal(error.domain, ErrorDomain.POSIX);
    assert.equal(error.code, 36); // ENAMETOOLONG on Linux
    assert.match(error.message, /256 UTF-8 bytes/);
  });

  it('refuses empty or NUL names as NetDB EAI_NONAME, and bad ports as EINVAL', () => {
    for (const host of ['', 'a\0b']) {
      const error = checkDestination({ host, port: 80 }, proxy);
      assert.equal(error?.domain, ErrorDomain.NetDB);
      assert.equal(error?.code, NetDBError.EAI_NONAME);
    }
    for (const port of [0, 65536, 1.5]) {
      const error = checkDestination({ host: 'h', port }, proxy);
      assert.equal(error?.domain, ErrorDomain.POSIX);
      assert.equal(error?.code, 22);
    }
  });

  it('uses an IPv4 literal as is, without a lookup', async () => {
    const target = await resolveSOCKS4Target(
      { host: '10.1.2.3', port: 80 },
      () => assert.fail('looked up'),
      proxy,
    );
    assert.deepEqual(target, { kind: 'address', address: '10.1.2.3', port: 80 });
  });

  it('uses the first IPv4 answer of the lookup', async () => {
    const target = await resolveSOCKS4Target(
      { host: 'printer.example', port: 631 },
      async () => ['::1', '10.0.0.5', '10.0.0.6'],
      proxy,
    );
    assert.deepEqual(target, { kind: 'address', address: '10.0.0.5', port: 631 });
  });

  it('falls back to SOCKS4a when the lookup fails or finds no IPv4 address', async () => {
    const failing = async (): Promise<string[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    for (const lookup of [failing, async () => ['::1'], async () => []]) {
      const target = await resolveSOCKS4Target(
        { host: 'printer.example', port: 631 },
        lookup,
        proxy,
      );
      assert.deepEqual(target, { kind: 'name', host: 'printer.example', port: 631 });
    }
  });

  it('refuses an IPv6 literal as NetDB EAI_FAMILY', async () => {
    await assert.rejects(
      resolveSOCKS4Target({ host: '::1', port: 80 }, async () => ['::1'], proxy),
      (error: unknown) => {
        assert.ok(error instanceof StreamError);
        assert.equal(error.domain, ErrorDomain.NetDB);
        assert.equal(error.code, NetDBError.EAI_FAMILY);
        return true;
      },
    );
  });
});
