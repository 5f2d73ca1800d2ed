/** `cfstream connect` with TLS: a private CA, certificate faults and the options that excuse them, client certificates. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrivateNetwork } from '../support/private-network.js';
import { type TestCA, testCA } from '../support/test-ca.js';
import { nodeTLSServer, type TestServer } from '../tls/tls-fixtures.js';
import { jsonLines, runCfstream } from './cli-runner.js';

describe('cfstream connect --tls (integration)', function () {
  this.timeout(40_000);
  let ca: TestCA;
  let dir: string;
  let rootFile: string;
  let server: TestServer | undefined;
  before(async () => {
    requirePrivateNetwork();
    ca = await testCA();
    dir = mkdtempSync(join(tmpdir(), 'cfstream-cli-tls-'));
    rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, ca.root.cert);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const connect = (port: number, ...options: string[]) =>
    runCfstream(['connect', ...options, `localhost:${port}`], { input: 'secret\n' });

  it('trusts a private CA given with --ca and echoes over TLS', async () => {
    server = await nodeTLSServer(ca.valid);
    const result = await connect(server.port, '--ca', rootFile);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'secret\n');
    assert.equal(result.status, 0);
  });

  it('without the CA: SSL -9807 (nothing vouches for the chain), exit 1, also as JSON', async () => {
    server = await nodeTLSServer(ca.valid);
    const refused = await connect(server.port, '--tls');
    assert.equal(refused.status, 1);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      /^cfstream connect: SSL \(domain 3\) code -9807 errSSLXCertChainInvalid: invalid certificate chain \(.*\)\n$/,
    );
    const json = await connect(server.port, '--tls', '--json');
    assert.equal(json.status, 1);
    const [error] = jsonLines(json.stderr);
    assert.equal(error?.event, 'error');
    assert.equal(error?.domain, 3);
    assert.equal(error?.domainName, 'SSL');
    assert.equal(error?.code, -9807);
    assert.equal(error?.name, 'errSSLXCertChainInvalid');
  });

  it('an untrusted root: SSL -9812; --allow-any-root accepts it', async () => {
    server = await nodeTLSServer(ca.unknownRoot);
    const refused = await connect(server.port, '--ca', rootFile);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /SSL \(domain 3\) code -9812 errSSLUnknownRootCert: the certificate chain ends in an untrusted root/,
    );
    const allowed = await connect(server.port, '--allow-any-root');
    assert.equal(allowed.stdout, 'secret\n');
    assert.equal(allowed.status, 0);
  });

  it('expired: SSL -9814; --allow-expired accepts it', async () => {
    server = await nodeTLSServer(ca.expired);
    const refused = await connect(server.port, '--ca', rootFile);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /SSL \(domain 3\) code -9814 errSSLCertExpired: certificate expired/,
    );
    const allowed = await connect(server.port, '--ca', rootFile, '--allow-expired');
    assert.equal(allowed.stdout, 'secret\n');
    assert.equal(allowed.status, 0);
  });

  it('wrong host: SSL -9843; --peer-name with the right name or --no-verify-name accept it', async () => {
    server = await nodeTLSServer(ca.wrongHost);
    const refused = await connect(server.port, '--ca', rootFile);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /SSL \(domain 3\) code -9843 errSSLHostNameMismatch: the certificate is not for this host name/,
    );
    const named = await connect(server.port, '--ca', rootFile, '--peer-name', 'wrong.example');
    assert.equal(named.stdout, 'secret\n');
    const unnamed = await connect(server.port, '--ca', rootFile, '--no-verify-name');
    assert.equal(unnamed.stdout, 'secret\n');
    assert.equal(unnamed.status, 0);
  });

  it('presents a client certificate with --cert/--key to a server that requires one', async () => {
    server = await nodeTLSServer(ca.valid, {
      requestCert: true,
      rejectUnauthorized: true,
      ca: [ca.root.cert],
    });
    const certFile = join(dir, 'client.pem');
    const keyFile = join(dir, 'client-key.pem');
    writeFileSync(certFile, ca.client.cert);
    writeFileSync(keyFile, ca.client.key);
    const result = await connect(
      server.port,
      '--ca',
      rootFile,
      '--cert',
      certFile,
      '--key',
      keyFile,
    );
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'secret\n');
    assert.equal(result.status, 0);
    const without = await connect(server.port, '--ca', rootFile);
    // TLS 1.3: the server's refusal arrives after our handshake finished, as an alert on read.
    assert.equal(without.status, 1);
    // It is still an SSL-domain error: errSSLPeerBadCert (-9825), the peer refused our certificate.
    assert.match(without.stderr, /^cfstream connect: SSL \(domain 3\).*-9825/);
  });
});
