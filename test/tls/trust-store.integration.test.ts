/**
 * The chain re-examination trusts the roots OpenSSL trusted (issue 13, item 6):
 * a CA that Node trusts through NODE_EXTRA_CA_CERTS, or through OpenSSL's own
 * store under --use-openssl-ca, is a known root, so an expired certificate
 * under it is -9814 (CertExpired), which AllowsExpiredCertificates excuses,
 * not -9812 (UnknownRootCert). The client runs in a child process started
 * with that environment (Node reads it only at start-up); the servers are
 * Node's tls.Server and `openssl s_server` on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kCFStreamSSLAllowsExpiredCertificates } from '../../src/constants.js';
import { SSLError } from '../../src/error-codes.js';
import { kCFStreamSSLTrustedRoots } from '../../src/tls/index.js';
import { type TestCA, type TestCertificate, testCA } from '../support/test-ca.js';
import { nodeTLSServer, opensslServer, type TestServer } from './tls-fixtures.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./trust-store-child.ts', import.meta.url));

interface Attempt {
  readonly server: TestServer;
  readonly settings?: Record<string, unknown>;
}

/** Runs the attempts in a fresh Node with `env` added and `flags` given; one result per attempt. */
async function inChild(
  attempts: readonly Attempt[],
  env: Record<string, string>,
  flags: readonly string[] = [],
): Promise<Array<number | string>> {
  const plain = attempts.map(({ server, settings }) => ({ port: server.port, settings }));
  const { stdout } = await run(
    process.execPath,
    [...flags, '--import', 'tsx', CHILD, JSON.stringify(plain)],
    // NODE_OPTIONS from the parent (mocha's loader) must not leak into the child's flags.
    { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Array<number | string>;
}

describe('trust store: roots Node trusts beyond its bundled ones', function () {
  this.timeout(120_000);
  let ca: TestCA;
  const servers: TestServer[] = [];
  let expired: TestServer;
  let expiredSendingRoot: TestServer;
  let valid: TestServer;
  let unknownRoot: TestServer;
  let expiredOpenSSL: TestServer;

  before(async () => {
    ca = await testCA();
    const start = async (certificate: TestCertificate) => {
      const server = await nodeTLSServer(certificate);
      servers.push(server);
      return server;
    };
    expired = await start(ca.expired);
    // The peer sends its root too: Node then has no reason to look it up in its store.
    expiredSendingRoot = await start({ ...ca.expired, chain: [ca.root.cert] });
    valid = await start(ca.valid);
    unknownRoot = await start(ca.unknownRoot);
    expiredOpenSSL = await opensslServer(ca.expired);
    servers.push(expiredOpenSSL);
  });

  after(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  const allowExpired = { [kCFStreamSSLAllowsExpiredCertificates]: true };

  it('NODE_EXTRA_CA_CERTS: expired is -9814 and excused by AllowsExpiredCertificates; valid passes; an unknown root is still -9812', async () => {
    const results = await inChild(
      [
        { server: expired },
        { server: expired, settings: allowExpired },
        { server: expiredSendingRoot },
        { server: expiredSendingRoot, settings: allowExpired },
        { server: expiredOpenSSL },
        { server: expiredOpenSSL, settings: allowExpired },
        { server: valid },
        { server: unknownRoot },
      ],
      { NODE_EXTRA_CA_CERTS: ca.root.certFile },
    );
    const { errSSLCertExpired, errSSLUnknownRootCert } = SSLError;
    assert.deepEqual(results, [
      errSSLCertExpired,
      'ok',
      errSSLCertExpired,
      'ok',
      errSSLCertExpired,
      'ok',
      'ok',
      errSSLUnknownRootCert,
    ]);
  });

  it('NODE_EXTRA_CA_CERTS: kCFStreamSSLTrustedRoots adds to those roots instead of replacing them', async () => {
    const otherRoot = { [kCFStreamSSLTrustedRoots]: ca.otherRoot.cert };
    const results = await inChild(
      [
        { server: valid, settings: otherRoot },
        { server: unknownRoot, settings: otherRoot },
        { server: expired, settings: { ...otherRoot, ...allowExpired } },
      ],
      { NODE_EXTRA_CA_CERTS: ca.root.certFile },
    );
    assert.deepEqual(results, ['ok', 'ok', 'ok']);
  });

  it("--use-openssl-ca: a root in OpenSSL's store (SSL_CERT_FILE) is known the same way", async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'cfsocketstream-empty-certs-'));
    try {
      const results = await inChild(
        [
          { server: expired },
          { server: expiredSendingRoot, settings: allowExpired },
          { server: valid },
          { server: valid, settings: { [kCFStreamSSLTrustedRoots]: ca.otherRoot.cert } },
          { server: unknownRoot },
        ],
        { SSL_CERT_FILE: ca.root.certFile, SSL_CERT_DIR: emptyDir },
        ['--use-openssl-ca'],
      );
      const { errSSLCertExpired, errSSLUnknownRootCert } = SSLError;
      assert.deepEqual(results, [errSSLCertExpired, 'ok', 'ok', 'ok', errSSLUnknownRootCert]);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
