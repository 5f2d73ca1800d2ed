/**
 * secure-context.ts: contexts are shared by what goes into them (so a pair
 * that parses its settings anew reuses the context of the last one), never
 * across different roots, identities or levels; trusted roots add to a copy
 * of Node's default store and leave the default store as it was.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type ConnectionOptions, connect } from 'node:tls';
import {
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSocketSecurityLevelTLSv1,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLCertificates,
  type SecurityLevel,
} from '../../src/constants.js';
import { kCFStreamSSLTrustedRoots, parseSSLSettings } from '../../src/tls/index.js';
import { clearSecureContexts, secureContextFor } from '../../src/tls/secure-context.js';
import { type ProtocolOptions, protocolOptionsForLevel } from '../../src/tls/security-level.js';
import type { TrustStore } from '../../src/tls/trust-store.js';
import { type TestCA, testCA } from '../support/test-ca.js';
import { nodeTLSServer, type TestServer } from './tls-fixtures.js';

const negotiated = kCFStreamSocketSecurityLevelNegotiatedSSL;
const protocol = (level: SecurityLevel) => protocolOptionsForLevel(level) as ProtocolOptions;

describe('secure contexts', () => {
  let ca: TestCA;
  let server: TestServer;
  before(async function () {
    this.timeout(60_000);
    ca = await testCA();
    server = await nodeTLSServer(ca.valid);
  });
  after(() => server.close());
  beforeEach(() => clearSecureContexts());

  /** Whether OpenSSL, with `options`, trusts the test server's chain. */
  async function authorizes(options: ConnectionOptions): Promise<boolean> {
    const socket = connect({ host: '127.0.0.1', port: server.port, ...options });
    socket.on('error', () => {});
    await once(socket, 'secureConnect');
    const authorized = socket.authorized;
    socket.destroy();
    await once(socket, 'close');
    return authorized;
  }

  const settings = (extra: Record<string, unknown> = {}) =>
    parseSSLSettings({ [kCFStreamSSLTrustedRoots]: ca.root.cert, ...extra });

  it('settings parsed twice from the same dictionary share one context', () => {
    const first = secureContextFor(negotiated, protocol(negotiated), settings());
    const second = secureContextFor(negotiated, protocol(negotiated), settings());
    assert.equal(second, first);
    // Settings that do not go into a context do not split it either.
    const third = secureContextFor(
      negotiated,
      protocol(negotiated),
      settings({ [kCFStreamSSLAllowsAnyRoot]: true }),
    );
    assert.equal(third, first);
  });

  it('different roots, identities or levels get different contexts', () => {
    const base = secureContextFor(negotiated, protocol(negotiated), settings());
    const otherRoot = parseSSLSettings({ [kCFStreamSSLTrustedRoots]: ca.otherRoot.cert });
    const withIdentity = (cert: { key: string; cert: string }) =>
      settings({ [kCFStreamSSLCertificates]: [{ key: cert.key, cert: cert.cert }] });
    const contexts = [
      base,
      secureContextFor(negotiated, protocol(negotiated), otherRoot),
      secureContextFor(negotiated, protocol(negotiated), withIdentity(ca.client)),
      secureContextFor(negotiated, protocol(negotiated), withIdentity(ca.valid)),
      secureContextFor(
        kCFStreamSocketSecurityLevelTLSv1,
        protocol(kCFStreamSocketSecurityLevelTLSv1),
        settings(),
      ),
      secureContextFor(negotiated, protocol(negotiated), undefined),
    ];
    assert.equal(new Set(contexts).size, contexts.length);
  });

  it('a trusted root is added to a copy of the default store: other contexts do not trust it', async () => {
    const context = secureContextFor(negotiated, protocol(negotiated), settings());
    assert.equal(await authorizes({ secureContext: context }), true);
    assert.equal(await authorizes({ rejectUnauthorized: false }), false, 'a default context');
    const plain = secureContextFor(negotiated, protocol(negotiated), undefined);
    assert.equal(await authorizes({ secureContext: plain, rejectUnauthorized: false }), false);
  });

  it("where the default store cannot be extended, the trust store's full list is the `ca`", async () => {
    let asked: readonly string[] = [];
    const store: TrustStore = {
      contextRoots: (trusted) => {
        asked = trusted;
        return { kind: 'replace', ca: [ca.otherRoot.cert, ...trusted] };
      },
      isDefaultRoot: () => false,
    };
    const context = secureContextFor(negotiated, protocol(negotiated), settings(), store);
    assert.equal(asked.length, 1);
    assert.equal(await authorizes({ secureContext: context }), true);
  });
});
