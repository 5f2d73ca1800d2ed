/**
 * secureSocket against `openssl s_server`, a TLS stack other than Node's:
 * the same verdicts, protocol-version refusal of a TLS 1.0-only server, and
 * client certificates.
 */
import assert from 'node:assert/strict';
import {
  kCFStreamSocketSecurityLevelTLSv1,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLCertificates,
  kCFStreamSSLLevel,
} from '../../src/constants.js';
import { SSLError } from '../../src/error-codes.js';
import { kCFStreamSSLTrustedRoots, peerCertificates } from '../../src/tls/index.js';
import { type TestCA, type TestCertificate, testCA } from '../support/test-ca.js';
import {
  closeSocket,
  opensslServer,
  rejectsWithSSL,
  roundTrip,
  secureClient,
  type TestServer,
} from './tls-fixtures.js';

describe('tls against openssl s_server', () => {
  let ca: TestCA;
  let trustRoot: Record<string, unknown>;
  before(async function () {
    this.timeout(60_000);
    ca = await testCA();
    trustRoot = { [kCFStreamSSLTrustedRoots]: [ca.root.cert] };
  });

  async function withServer(
    certificate: TestCertificate,
    extra: readonly string[],
    body: (server: TestServer) => Promise<void>,
  ) {
    const server = await opensslServer(certificate, extra);
    try {
      await body(server);
    } finally {
      await server.close();
    }
  }

  it('accepts a valid chain through an intermediate and carries data', () =>
    withServer(ca.viaIntermediate, [], async ({ port }) => {
      const socket = await secureClient(port, { settings: trustRoot });
      assert.equal(peerCertificates(socket).length, 3);
      await roundTrip(socket, 'hello\n', 'olleh');
      await closeSocket(socket);
    }));

  const refusals: ReadonlyArray<readonly [string, (ca: TestCA) => TestCertificate, number]> = [
    ['expired', (c) => c.expired, SSLError.errSSLCertExpired],
    ['not yet valid', (c) => c.notYetValid, SSLError.errSSLCertNotYetValid],
    ['wrong host name', (c) => c.wrongHost, SSLError.errSSLHostNameMismatch],
    ['self-signed', (c) => c.selfSigned, SSLError.errSSLNoRootCert],
    ['unknown root', (c) => c.unknownRoot, SSLError.errSSLUnknownRootCert],
    ['incomplete chain', (c) => c.missingIntermediate, SSLError.errSSLXCertChainInvalid],
  ];
  for (const [title, certificate, code] of refusals) {
    it(`refuses ${title} with ${code}`, () =>
      withServer(certificate(ca), [], async ({ port }) => {
        await rejectsWithSSL(secureClient(port, { settings: trustRoot }), code);
      }));
  }

  it('accepts an unknown root with AllowsAnyRoot', () =>
    withServer(ca.unknownRoot, [], async ({ port }) => {
      const socket = await secureClient(port, {
        settings: { ...trustRoot, [kCFStreamSSLAllowsAnyRoot]: true },
      });
      await roundTrip(socket, 'abc\n', 'cba');
      await closeSocket(socket);
    }));

  describe('a TLS 1.0-only server', () => {
    const tls1Only = ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'];

    it('is refused by default (NegotiatedSSL) with -9836', () =>
      withServer(ca.valid, tls1Only, async ({ port }) => {
        await rejectsWithSSL(
          secureClient(port, { settings: trustRoot }),
          SSLError.errSSLPeerProtocolVersion,
        );
      }));

    it('is reached when TLSv1 is asked for explicitly', () =>
      withServer(ca.valid, tls1Only, async ({ port }) => {
        const socket = await secureClient(port, {
          settings: { ...trustRoot, [kCFStreamSSLLevel]: kCFStreamSocketSecurityLevelTLSv1 },
        });
        assert.equal(socket.getProtocol(), 'TLSv1');
        await roundTrip(socket, 'old\n', 'dlo');
        await closeSocket(socket);
      }));

    it('is reached with the TLSv1 security level property', () =>
      withServer(ca.valid, tls1Only, async ({ port }) => {
        const socket = await secureClient(port, {
          settings: trustRoot,
          level: kCFStreamSocketSecurityLevelTLSv1,
        });
        assert.equal(socket.getProtocol(), 'TLSv1');
        await closeSocket(socket);
      }));
  });

  it('TLSv1 still negotiates TLS 1.3 with a modern server', () =>
    withServer(ca.valid, [], async ({ port }) => {
      const socket = await secureClient(port, {
        settings: trustRoot,
        level: kCFStreamSocketSecurityLevelTLSv1,
      });
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      await closeSocket(socket);
    }));

  describe('mutual TLS (-Verify: a client certificate is required)', () => {
    const requireClient = (c: TestCA) => [
      '-Verify',
      '2',
      '-verify_return_error',
      '-CAfile',
      c.root.certFile,
    ];

    it('presents the client certificate from kCFStreamSSLCertificates', () =>
      withServer(ca.valid, requireClient(ca), async ({ port }) => {
        const socket = await secureClient(port, {
          settings: {
            ...trustRoot,
            [kCFStreamSSLCertificates]: [{ key: ca.client.key, cert: ca.client.cert }],
          },
        });
        await roundTrip(socket, 'mutual\n', 'lautum');
        await closeSocket(socket);
      }));

    /** Whether the server refuses this client: a failed handshake, or no echo before the end. */
    async function serverRefuses(
      port: number,
      settings: Record<string, unknown>,
    ): Promise<boolean> {
      // TLS 1.3 lets the client finish before the server judges its certificate, so the
      // refusal arrives either as a handshake error or as the end of the connection.
      let socket: Awaited<ReturnType<typeof secureClient>>;
      try {
        socket = await secureClient(port, { settings });
      } catch {
        return true;
      }
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
      });
      socket.on('error', () => {});
      socket.write('xyz\n');
      await new Promise((resolve) => socket.once('close', resolve));
      return !received.includes('zyx');
    }

    it('without a client certificate the server refuses the client', () =>
      withServer(ca.valid, requireClient(ca), async ({ port }) => {
        assert.ok(await serverRefuses(port, trustRoot));
      }));

    it('a client certificate from another root is refused by the server', () =>
      withServer(ca.valid, requireClient(ca), async ({ port }) => {
        const identity = { key: ca.clientUnknownRoot.key, cert: ca.clientUnknownRoot.cert };
        assert.ok(
          await serverRefuses(port, {
            ...trustRoot,
            [kCFStreamSSLCertificates]: [identity, ca.otherRoot.cert],
          }),
        );
      }));
  });
});
