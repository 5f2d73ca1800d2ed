/** `cfstream connect --socks` through dante-server: SOCKS5 with and without a password, SOCKS4, TLS inside SOCKS, and SOCKS errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DANTE_PASSWORD,
  DANTE_USER,
  type DanteServer,
  danteUnavailable,
  startDante,
} from '../support/dante.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startServer } from '../support/tcp-peers.js';
import { testCA } from '../support/test-ca.js';
import { nodeTLSServer } from '../tls/tls-fixtures.js';
import { jsonLines, runCfstream } from './cli-runner.js';

describe('cfstream connect --socks through dante (integration)', function () {
  this.timeout(40_000);
  let open: DanteServer;
  let auth: DanteServer;
  let echo: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    requirePrivateNetwork();
    const why = danteUnavailable();
    if (why !== undefined) throw new Error(why);
    [open, auth, echo] = await Promise.all([
      startDante({ auth: false }),
      startDante({ auth: true }),
      startServer((socket) => socket.pipe(socket)),
    ]);
  });
  after(async () => {
    await Promise.all([open?.stop(), auth?.stop(), echo?.close()]);
  });

  it('SOCKS5 without authentication', async () => {
    const result = await runCfstream(
      ['connect', '--socks', `127.0.0.1:${open.port}`, `127.0.0.1:${echo.port}`],
      { input: 'via socks5\n' },
    );
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'via socks5\n');
    assert.equal(result.status, 0);
    assert.match(open.log(), new RegExp(`127\\.0\\.0\\.1\\.${echo.port}`));
  });

  it('SOCKS4', async () => {
    const result = await runCfstream(
      [
        'connect',
        '--socks',
        `127.0.0.1:${open.port}`,
        '--socks-version',
        '4',
        `127.0.0.1:${echo.port}`,
      ],
      { input: 'via socks4\n' },
    );
    assert.equal(result.stdout, 'via socks4\n');
    assert.equal(result.status, 0);
  });

  it('SOCKS5 with --socks-user and the password from CFSTREAM_SOCKS_PASSWORD', async () => {
    const args = [
      'connect',
      '--socks',
      `127.0.0.1:${auth.port}`,
      '--socks-user',
      DANTE_USER,
      `127.0.0.1:${echo.port}`,
    ];
    const ok = await runCfstream(args, {
      input: 'authenticated\n',
      env: { CFSTREAM_SOCKS_PASSWORD: DANTE_PASSWORD },
    });
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, 'authenticated\n');
    assert.equal(ok.status, 0);

    const wrong = await runCfstream(args, { env: { CFSTREAM_SOCKS_PASSWORD: 'not-the-password' } });
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stderr,
      /^cfstream connect: SOCKS \(domain 5\) subdomain SOCKS5UserPass \(3\) code \d+: the proxy refused the user name or password/,
    );
    assert.doesNotMatch(wrong.stderr, /not-the-password/);
  });

  it('no user for a proxy that needs one: SOCKS5Method 255, as text and as JSON', async () => {
    const args = ['connect', '--socks', `127.0.0.1:${auth.port}`, `127.0.0.1:${echo.port}`];
    const text = await runCfstream(args);
    assert.equal(text.status, 1);
    assert.match(
      text.stderr,
      /^cfstream connect: SOCKS \(domain 5\) subdomain SOCKS5Method \(4\) code 255: no acceptable authentication method/,
    );
    const json = await runCfstream([...args, '--json']);
    assert.equal(json.status, 1);
    const [error] = jsonLines(json.stderr);
    assert.equal(error?.event, 'error');
    assert.equal(error?.domain, 5);
    assert.equal(error?.domainName, 'SOCKS');
    assert.equal(error?.subdomain, 4);
    assert.equal(error?.subdomainName, 'SOCKS5Method');
    assert.equal(error?.code, 255);
    assert.equal(error?.error, (4 << 16) | 255);
  });

  it("a destination the proxy's rules refuse: SOCKS5Response 2", async () => {
    // dante passes 127.0.0.0/8 only.
    const result = await runCfstream([
      'connect',
      '--socks',
      `127.0.0.1:${open.port}`,
      '--timeout',
      '5000',
      '192.0.2.1:80',
    ]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^cfstream connect: SOCKS \(domain 5\) subdomain SOCKS5Response \(5\) code 2: connection not allowed by ruleset/,
    );
  });

  it('TLS inside SOCKS: --tls --ca through dante to a TLS echo server', async () => {
    const ca = await testCA();
    const tlsServer = await nodeTLSServer(ca.valid);
    const dir = mkdtempSync(join(tmpdir(), 'cfstream-cli-socks-tls-'));
    try {
      const rootFile = join(dir, 'root.pem');
      writeFileSync(rootFile, ca.root.cert);
      const result = await runCfstream(
        [
          'connect',
          '--socks',
          `127.0.0.1:${open.port}`,
          '--ca',
          rootFile,
          `localhost:${tlsServer.port}`,
        ],
        { input: 'tls through socks\n' },
      );
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, 'tls through socks\n');
      assert.equal(result.status, 0);
    } finally {
      await tlsServer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
