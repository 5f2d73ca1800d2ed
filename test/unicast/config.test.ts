/** Unicast DNS settings: server strings, TSIG key specs and the environment; secrets never in messages. */
import assert from 'node:assert/strict';
import { NetServicesError } from '../../src/error-codes.js';
import { NetService } from '../../src/netservice/index.js';
import {
  checkKey,
  configureUnicastDNS,
  keyForZone,
  parseServer,
  parseTsigSpec,
  resetUnicastDNS,
  unicastConfig,
} from '../../src/unicast/config.js';
import { lookup } from '../../src/unicast/dns-client.js';

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';

describe('unicast DNS configuration', () => {
  afterEach(() => {
    resetUnicastDNS();
    delete process.env.CFSTREAM_DNS_SERVERS;
    delete process.env.CFSTREAM_TSIG;
  });

  it('parses host, host:port, [v6]:port and a bare IPv6 address', () => {
    assert.deepEqual(parseServer('192.0.2.1'), { host: '192.0.2.1', port: 53 });
    assert.deepEqual(parseServer('192.0.2.1:5300'), { host: '192.0.2.1', port: 5300 });
    assert.deepEqual(parseServer('[2001:db8::1]:5300'), { host: '2001:db8::1', port: 5300 });
    assert.deepEqual(parseServer('2001:db8::1'), { host: '2001:db8::1', port: 53 });
    for (const bad of ['ns.example.com', '192.0.2.1:0', '192.0.2.1:x', '192.0.2.1:70000', ''])
      assert.throws(
        () => parseServer(bad),
        (e: { code?: number }) => e.code === NetServicesError.BadArgument,
      );
  });

  it('parses zone:algorithm:name:secret and checks the key without ever printing the secret', () => {
    const { zone, key } = parseTsigSpec(`example.test.:hmac-sha256:mykey:${SECRET}`);
    assert.equal(zone, 'example.test.');
    assert.deepEqual(checkKey(zone, key).secret, Buffer.from(SECRET, 'base64'));
    for (const bad of [
      () => checkKey('z.', { name: 'k', algorithm: 'hmac-md5' as 'hmac-sha256', secret: SECRET }),
      () => checkKey('z.', { name: 'k', algorithm: 'hmac-sha256', secret: `${SECRET}!!` }),
      () => parseTsigSpec(`example.test.:hmac-sha256:${SECRET}`),
    ]) {
      assert.throws(bad, (e: Error) => {
        assert.ok(!e.message.includes(SECRET.slice(0, 10)), e.message);
        return (e as { code?: number }).code === NetServicesError.BadArgument;
      });
    }
  });

  it('reads CFSTREAM_DNS_SERVERS and CFSTREAM_TSIG on first use', () => {
    process.env.CFSTREAM_DNS_SERVERS = '127.0.0.1:5300, [::1]:5301';
    process.env.CFSTREAM_TSIG = `example.test:hmac-sha512:k1:${SECRET}`;
    const config = unicastConfig();
    assert.deepEqual(config.servers, [
      { host: '127.0.0.1', port: 5300 },
      { host: '::1', port: 5301 },
    ]);
    assert.equal(keyForZone(config, 'Sub.Example.Test.')?.name, 'k1');
    assert.equal(keyForZone(config, 'other.test'), undefined);
  });

  it('configureUnicastDNS refuses bad timings', () => {
    assert.throws(
      () => configureUnicastDNS({ servers: ['127.0.0.1'], timings: { serialPollMs: 0 } }),
      /serialPollMs/,
    );
  });

  it('with no server at all, a query fails saying how to configure one', async () => {
    configureUnicastDNS({ servers: [] });
    await assert.rejects(
      lookup('x.example.test', 1, {
        signal: new AbortController().signal,
        deadline: Date.now() + 1000,
      }),
      /no DNS server is configured \(configureUnicastDNS servers, CFSTREAM_DNS_SERVERS or --dns-server\)/,
    );
  });

  it('a malformed CFSTREAM_TSIG fails the resolve, not the cache peek of a pair', async () => {
    process.env.CFSTREAM_TSIG = 'example.test:hmac-sha256:only-three';
    const service = new NetService('example.test.', '_http._tcp', 'X');
    assert.equal(service.cachedResolution(), undefined);
    await assert.rejects(
      service.resolveForConnect(new AbortController().signal),
      /zone:algorithm:name:secret/,
    );
  });
});
