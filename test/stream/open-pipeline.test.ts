import assert from 'node:assert/strict';
import {
  kCFStreamPropertyProxyLocalBypass,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
} from '../../src/constants.js';
import { Host } from '../../src/host/host.js';
import {
  type ConnectableService,
  directRoute,
  type OpenProperties,
} from '../../src/stream/open-pipeline.js';

const properties = (values: Record<string, unknown> = {}): OpenProperties => ({
  property: (key) => values[key],
});
const proxy = { host: '127.0.0.1', port: 1080, version: 5 };
const resolved = {
  hostName: 'printer.local',
  port: 9100,
  addresses: [{ address: '192.0.2.7', family: 4 as const }],
};
const service = (cached: typeof resolved | undefined): ConnectableService => ({
  resolveForConnect: () => Promise.reject(new Error('not in this test')),
  cachedResolution: () => cached,
  toString: () => 'Printer._ipp._tcp.local.',
});

describe('directRoute: which opens skip the pipeline', () => {
  it('a literal address with no proxy and no TLS connects at once', () => {
    const route = directRoute(
      { kind: 'host', host: Host.withName('127.0.0.1'), port: 7 },
      properties(),
    );
    assert.deepEqual(route, {
      addresses: [{ address: '127.0.0.1', family: 4 }],
      port: 7,
      hostName: '127.0.0.1',
    });
  });

  it('a name not resolved yet, TLS, or a proxy take the whole pipeline', () => {
    const literal = { kind: 'host' as const, host: Host.withName('127.0.0.1'), port: 7 };
    assert.equal(
      directRoute({ kind: 'host', host: Host.withName('example.invalid'), port: 7 }, properties()),
      undefined,
    );
    assert.equal(
      directRoute(
        literal,
        properties({
          [kCFStreamPropertySocketSecurityLevel]: kCFStreamSocketSecurityLevelNegotiatedSSL,
        }),
      ),
      undefined,
    );
    assert.equal(
      directRoute(literal, properties({ [kCFStreamPropertySOCKSProxy]: proxy })),
      undefined,
    );
    // LocalBypass exempts simple and .local names, never an address.
    assert.equal(
      directRoute(
        literal,
        properties({
          [kCFStreamPropertySOCKSProxy]: proxy,
          [kCFStreamPropertyProxyLocalBypass]: true,
        }),
      ),
      undefined,
    );
  });

  it('a service connects at once only when the cache resolves it', () => {
    assert.deepEqual(directRoute({ kind: 'service', service: service(resolved) }, properties()), {
      addresses: resolved.addresses,
      port: 9100,
      hostName: 'printer.local',
    });
    assert.equal(
      directRoute({ kind: 'service', service: service(undefined) }, properties()),
      undefined,
    );
    const noAddresses = { ...resolved, addresses: [] };
    assert.equal(
      directRoute({ kind: 'service', service: service(noAddresses) }, properties()),
      undefined,
    );
    // A .local target under LocalBypass skips the proxy, so it may connect at once.
    const bypass = properties({
      [kCFStreamPropertySOCKSProxy]: proxy,
      [kCFStreamPropertyProxyLocalBypass]: true,
    });
    assert.notEqual(
      directRoute({ kind: 'service', service: service(resolved) }, bypass),
      undefined,
    );
    const proxied = properties({ [kCFStreamPropertySOCKSProxy]: proxy });
    assert.equal(directRoute({ kind: 'service', service: service(resolved) }, proxied), undefined);
  });
});
