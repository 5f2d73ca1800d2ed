/**
 * trust-store.ts on made-up platform facts: each way a Node can be set up
 * (bundled roots, NODE_EXTRA_CA_CERTS, --use-openssl-ca, --use-system-ca,
 * with and without tls.getCACertificates, with and without a native
 * addCACert) gives the roots that Node's OpenSSL trusts in that setup.
 * trust-store.integration.test.ts checks the same against real Node processes.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  type CACertificateKind,
  type ContextRoots,
  createTrustStore,
  type PlatformTrustFacts,
} from '../../src/tls/trust-store.js';
import { type TestCA, testCA } from '../support/test-ca.js';

describe('trust store (platform facts injected)', () => {
  let ca: TestCA;
  let bundled: X509Certificate;
  let extra: X509Certificate;
  let system: X509Certificate;
  let inOpenSSLFile: X509Certificate;
  let inOpenSSLDir: X509Certificate;
  let unknown: X509Certificate;
  before(async function () {
    this.timeout(60_000);
    ca = await testCA();
    bundled = new X509Certificate(ca.root.cert);
    extra = new X509Certificate(ca.otherRoot.cert);
    system = new X509Certificate(ca.expiredRoot.cert);
    inOpenSSLFile = new X509Certificate(ca.intermediate.cert);
    inOpenSSLDir = new X509Certificate(ca.selfSigned.cert);
    unknown = new X509Certificate(ca.valid.cert);
  });

  /** Facts of a Node 20 with bundled roots only; `reads` records every file read. */
  function facts(overrides: Partial<PlatformTrustFacts> = {}, reads: string[] = []) {
    const files: Record<string, string> = {
      '/extra.pem': `junk before\n${extra.toString()}`,
      '/ssl/cert.pem': inOpenSSLFile.toString(),
      '/ssl/certs/1a2b3c4d.0': inOpenSSLDir.toString(),
      // OpenSSL's hashed lookup never opens a file not named after a hash.
      '/ssl/certs/README.pem': unknown.toString(),
    };
    const base: PlatformTrustFacts = {
      getCACertificates: undefined,
      bundledRoots: [bundled.toString()],
      usesOpenSSLStore: false,
      usesSystemStore: false,
      extraCertsFile: undefined,
      openSSLCertFile: '/ssl/cert.pem',
      openSSLCertDirs: ['/ssl/certs'],
      canExtendDefaultStore: true,
      readFile: (path) => {
        reads.push(path);
        return files[path];
      },
      listDirectory: (path) => (path === '/ssl/certs' ? ['1a2b3c4d.0', 'README.pem'] : []),
    };
    return { ...base, ...overrides };
  }

  /** A context plan with each certificate by fingerprint (PEM layout differs by source). */
  const plan = (roots: ContextRoots) =>
    roots.kind === 'extend'
      ? { kind: roots.kind, add: roots.add.map(print) }
      : { kind: roots.kind, ca: roots.ca.map(print) };
  const print = (pem: string) =>
    pem.startsWith('-----BEGIN') ? new X509Certificate(pem).fingerprint256 : pem;

  const newerNode = (lists: Partial<Record<CACertificateKind, string[]>>) => ({
    getCACertificates: (kind: CACertificateKind) => lists[kind] ?? [],
  });

  it('bundled roots only: a bundled root is known, anything else is not', () => {
    const store = createTrustStore(facts());
    assert.equal(store.isDefaultRoot(bundled), true);
    assert.equal(store.isDefaultRoot(extra), false);
    assert.equal(store.isDefaultRoot(inOpenSSLFile), false);
  });

  it('NODE_EXTRA_CA_CERTS: its certificates are known too; the file is read once, on first use', () => {
    const reads: string[] = [];
    const store = createTrustStore(facts({ extraCertsFile: '/extra.pem' }, reads));
    assert.deepEqual(reads, []);
    assert.equal(store.isDefaultRoot(extra), true);
    assert.equal(store.isDefaultRoot(bundled), true);
    assert.equal(store.isDefaultRoot(unknown), false);
    store.contextRoots([]);
    assert.deepEqual(reads, ['/extra.pem']);
  });

  it('an unreadable NODE_EXTRA_CA_CERTS adds nothing (Node warns and goes on)', () => {
    const store = createTrustStore(facts({ extraCertsFile: '/missing.pem' }));
    assert.equal(store.isDefaultRoot(bundled), true);
    assert.equal(store.isDefaultRoot(extra), false);
  });

  it("--use-openssl-ca: OpenSSL's file and hashed directory replace the bundled roots", () => {
    const store = createTrustStore(facts({ usesOpenSSLStore: true, extraCertsFile: '/extra.pem' }));
    assert.equal(store.isDefaultRoot(inOpenSSLFile), true);
    assert.equal(store.isDefaultRoot(inOpenSSLDir), true);
    assert.equal(store.isDefaultRoot(extra), true);
    assert.equal(store.isDefaultRoot(bundled), false);
    assert.equal(store.isDefaultRoot(unknown), false, 'a file not named after a hash is not read');
  });

  it("--use-openssl-ca with OpenSSL's directory unknown (a shared OpenSSL): only what is known counts", () => {
    const store = createTrustStore(
      facts({ usesOpenSSLStore: true, openSSLCertFile: undefined, openSSLCertDirs: [] }),
    );
    assert.equal(store.isDefaultRoot(inOpenSSLFile), false);
    assert.equal(store.isDefaultRoot(bundled), false);
  });

  it("tls.getCACertificates: its 'default' list is the roots, and no file is read for them", () => {
    const reads: string[] = [];
    const store = createTrustStore(
      facts(
        {
          ...newerNode({
            default: [system.toString(), extra.toString()],
            extra: [extra.toString()],
          }),
          extraCertsFile: '/extra.pem',
        },
        reads,
      ),
    );
    assert.equal(store.isDefaultRoot(system), true);
    assert.equal(store.isDefaultRoot(extra), true);
    assert.equal(store.isDefaultRoot(bundled), false, "only what 'default' lists");
    assert.deepEqual(plan(store.contextRoots([])), { kind: 'extend', add: [extra.fingerprint256] });
    assert.deepEqual(reads, []);
  });

  it("tls.getCACertificates with --use-openssl-ca: 'default' plus OpenSSL's store, which Node never lists", () => {
    const store = createTrustStore(
      facts({ ...newerNode({ default: [extra.toString()] }), usesOpenSSLStore: true }),
    );
    assert.equal(store.isDefaultRoot(extra), true);
    assert.equal(store.isDefaultRoot(inOpenSSLDir), true);
    assert.equal(store.isDefaultRoot(bundled), false);
  });

  it('a context extends a copy of the default store with the extra roots and the trusted ones', () => {
    const store = createTrustStore(facts({ extraCertsFile: '/extra.pem' }));
    assert.deepEqual(plan(store.contextRoots(['TRUSTED'])), {
      kind: 'extend',
      add: [extra.fingerprint256, 'TRUSTED'],
    });
  });

  it('--use-system-ca: the system roots are added to the copy too, and only then', () => {
    const lists = newerNode({ system: [system.toString()] });
    const withFlag = createTrustStore(facts({ ...lists, usesSystemStore: true }));
    assert.deepEqual(plan(withFlag.contextRoots(['TRUSTED'])), {
      kind: 'extend',
      add: [system.fingerprint256, 'TRUSTED'],
    });
    const without = createTrustStore(facts(lists));
    assert.deepEqual(plan(without.contextRoots(['TRUSTED'])), { kind: 'extend', add: ['TRUSTED'] });
  });

  it('without a native addCACert a context names every default root again, then the trusted ones', () => {
    const store = createTrustStore(
      facts({ canExtendDefaultStore: false, extraCertsFile: '/extra.pem' }),
    );
    assert.deepEqual(plan(store.contextRoots(['TRUSTED'])), {
      kind: 'replace',
      ca: [bundled.fingerprint256, extra.fingerprint256, 'TRUSTED'],
    });
  });
});
