/**
 * secureSocket's own behaviour: server mode with both ends on secureSocket,
 * mutual TLS, levels refused before anything is sent, handshake failures
 * mapped to SSL codes, and aborts that leave nothing behind.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import {
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSocketSecurityLevelNone,
  kCFStreamSocketSecurityLevelSSLv2,
  kCFStreamSocketSecurityLevelSSLv3,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLCertificates,
  kCFStreamSSLIsServer,
  kCFStreamSSLLevel,
} from '../../src/constants.js';
import { ErrorDomain, SSLError } from '../../src/error-codes.js';
import { StreamError } from '../../src/errors.js';
import {
  kAlwaysAuthenticate,
  kCFStreamSSLClientSideAuthenticate,
  kCFStreamSSLTrustedRoots,
  kTryAuthenticate,
  parseSSLSettings,
  peerCertificates,
  secureSocket,
} from '../../src/tls/index.js';
import { PFX_PASSPHRASE, type TestCA, testCA } from '../support/test-ca.js';
import {
  closeSocket,
  connectRaw,
  rawServer,
  rejectsWithSSL,
  roundTrip,
  secureClient,
} from './tls-fixtures.js';

/** Both ends of one loopback TCP connection. */
async function socketPair(): Promise<{
  client: Socket;
  server: Socket;
  close: () => Promise<void>;
}> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = await connectRaw((listener.address() as { port: number }).port);
  const [server] = await accepted;
  // Stops listening now; its close callback would wait for this connection to end.
  listener.close();
  for (const socket of [client, server]) socket.on('error', () => {});
  return {
    client,
    server,
    close: async () => Promise.all([closeSocket(client), closeSocket(server)]).then(() => {}),
  };
}

const never = () => new AbortController().signal;

/** An abort is POSIX ECANCELED with the signal's reason as cause. */
const canceled = (error: unknown): boolean =>
  error instanceof StreamError &&
  error.domain === ErrorDomain.POSIX &&
  error.code === osConstants.errno.ECANCELED &&
  (error.cause as Error | undefined)?.name === 'AbortError';

describe('secureSocket', () => {
  let ca: TestCA;
  let serverIdentity: Record<string, unknown>;
  let clientTrust: Record<string, unknown>;
  before(async function () {
    this.timeout(60_000);
    ca = await testCA();
    serverIdentity = {
      [kCFStreamSSLIsServer]: true,
      [kCFStreamSSLCertificates]: [{ key: ca.valid.key, cert: ca.valid.cert }],
    };
    clientTrust = { [kCFStreamSSLTrustedRoots]: ca.root.cert };
  });

  /** Secures both ends of a pair: the server with `serverSettings`, the client with `clientSettings`. */
  async function secureBothEnds(
    serverSettings: Record<string, unknown>,
    clientSettings: Record<string, unknown>,
  ) {
    const pair = await socketPair();
    const serverSide = secureSocket(pair.server, {
      level: kCFStreamSocketSecurityLevelNone,
      settings: parseSSLSettings(serverSettings),
      defaultPeerName: undefined,
      signal: never(),
    });
    const clientSide = secureSocket(pair.client, {
      level: kCFStreamSocketSecurityLevelNegotiatedSSL,
      settings: parseSSLSettings(clientSettings),
      defaultPeerName: 'localhost',
      signal: never(),
    });
    const [server, client] = await Promise.allSettled([serverSide, clientSide]);
    const close = async () => {
      for (const end of [server, client])
        if (end.status === 'fulfilled') await closeSocket(end.value);
      await pair.close();
    };
    return { server, client, close };
  }

  describe('server mode', () => {
    it('secures both ends of a plain connection', async () => {
      const { server, client, close } = await secureBothEnds(serverIdentity, clientTrust);
      try {
        assert.equal(server.status, 'fulfilled');
        assert.equal(client.status, 'fulfilled');
        if (server.status !== 'fulfilled' || client.status !== 'fulfilled') return;
        server.value.pipe(server.value);
        await roundTrip(client.value, 'both ends\n', 'both ends\n');
        assert.deepEqual(peerCertificates(server.value), [], 'no client certificate was asked for');
      } finally {
        await close();
      }
    });

    it('serves a chain from a PKCS#12 identity', async () => {
      const identity = {
        [kCFStreamSSLIsServer]: true,
        [kCFStreamSSLCertificates]: [{ pfx: ca.viaIntermediatePfx, passphrase: PFX_PASSPHRASE }],
      };
      const { server, client, close } = await secureBothEnds(identity, clientTrust);
      try {
        assert.equal(server.status, 'fulfilled');
        assert.equal(client.status, 'fulfilled');
        if (client.status === 'fulfilled') assert.equal(peerCertificates(client.value).length, 3);
      } finally {
        await close();
      }
    });

    it('mutual TLS: the server requires and checks the client certificate', async () => {
      const { server, client, close } = await secureBothEnds(
        {
          ...serverIdentity,
          ...clientTrust,
          [kCFStreamSSLClientSideAuthenticate]: kAlwaysAuthenticate,
        },
        {
          ...clientTrust,
          [kCFStreamSSLCertificates]: [{ key: ca.client.key, cert: ca.client.cert }],
        },
      );
      try {
        assert.equal(client.status, 'fulfilled');
        assert.equal(server.status, 'fulfilled');
        if (server.status !== 'fulfilled') return;
        const [leaf] = peerCertificates(server.value);
        assert.match(leaf?.subject ?? '', /CN=cfsocketstream test client/);
      } finally {
        await close();
      }
    });

    it('mutual TLS: a missing client certificate is refused with -9807', async () => {
      const { server, close } = await secureBothEnds(
        {
          ...serverIdentity,
          ...clientTrust,
          [kCFStreamSSLClientSideAuthenticate]: kAlwaysAuthenticate,
        },
        clientTrust,
      );
      try {
        await rejectsWithSSL(
          server.status === 'rejected'
            ? Promise.reject(server.reason)
            : Promise.resolve(server.value),
          SSLError.errSSLXCertChainInvalid,
        );
      } finally {
        await close();
      }
    });

    it('mutual TLS: kTryAuthenticate accepts a client without a certificate', async () => {
      const { server, client, close } = await secureBothEnds(
        {
          ...serverIdentity,
          ...clientTrust,
          [kCFStreamSSLClientSideAuthenticate]: kTryAuthenticate,
        },
        clientTrust,
      );
      try {
        assert.equal(server.status, 'fulfilled');
        assert.equal(client.status, 'fulfilled');
      } finally {
        await close();
      }
    });

    it('mutual TLS: a client certificate from an unknown root is refused with -9812, accepted with AllowsAnyRoot', async () => {
      const clientSettings = {
        ...clientTrust,
        [kCFStreamSSLCertificates]: [
          { key: ca.clientUnknownRoot.key, cert: ca.clientUnknownRoot.cert },
          ca.otherRoot.cert,
        ],
      };
      const strict = {
        ...serverIdentity,
        ...clientTrust,
        [kCFStreamSSLClientSideAuthenticate]: kAlwaysAuthenticate,
      };
      const refused = await secureBothEnds(strict, clientSettings);
      try {
        assert.equal(refused.server.status, 'rejected');
        if (refused.server.status === 'rejected')
          await rejectsWithSSL(
            Promise.reject(refused.server.reason),
            SSLError.errSSLUnknownRootCert,
          );
      } finally {
        await refused.close();
      }
      const lenient = await secureBothEnds(
        { ...strict, [kCFStreamSSLAllowsAnyRoot]: true },
        clientSettings,
      );
      try {
        assert.equal(lenient.server.status, 'fulfilled');
      } finally {
        await lenient.close();
      }
    });
  });

  describe('levels Node cannot speak', () => {
    for (const level of [
      kCFStreamSocketSecurityLevelSSLv3,
      kCFStreamSocketSecurityLevelSSLv2,
    ] as const) {
      it(`${level} fails with an SSL error and sends nothing`, async () => {
        const server = await rawServer();
        try {
          const socket = await connectRaw(server.port);
          const error = await rejectsWithSSL(
            secureSocket(socket, {
              level,
              settings: undefined,
              defaultPeerName: 'localhost',
              signal: never(),
            }),
            SSLError.errSSLPeerProtocolVersion,
          );
          assert.match(error.message, /SSLv[23] is not available/);
          assert.ok(socket.destroyed, 'the socket is closed');
          await new Promise((resolve) => setTimeout(resolve, 50));
          assert.equal(server.bytes(), 0, 'the server saw no byte');
        } finally {
          await server.close();
        }
      });
    }

    it('kCFStreamSSLLevel SSLv3 wins over a NegotiatedSSL property and fails the same way', async () => {
      const server = await rawServer();
      try {
        await rejectsWithSSL(
          secureClient(server.port, {
            settings: { [kCFStreamSSLLevel]: kCFStreamSocketSecurityLevelSSLv3 },
          }),
          SSLError.errSSLPeerProtocolVersion,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(server.bytes(), 0);
      } finally {
        await server.close();
      }
    });
  });

  describe('handshake failures', () => {
    it('a peer that closes mid-handshake is -9806', async () => {
      const server = await rawServer((socket) => socket.once('data', () => socket.destroy()));
      try {
        await rejectsWithSSL(secureClient(server.port), SSLError.errSSLClosedAbort);
      } finally {
        await server.close();
      }
    });

    it('a peer that does not speak TLS is -9800', async () => {
      const server = await rawServer((socket) =>
        socket.once('data', () => socket.end('HTTP/1.0 400 Bad Request\r\n\r\n')),
      );
      try {
        await rejectsWithSSL(secureClient(server.port), SSLError.errSSLProtocol);
      } finally {
        await server.close();
      }
    });
  });

  describe('abort', () => {
    it('an abort mid-handshake rejects promptly and leaves no handles', async () => {
      const server = await rawServer(); // reads the ClientHello, never answers
      try {
        const controller = new AbortController();
        const started = Date.now();
        const secured = secureClient(server.port, {
          settings: clientTrust,
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(secured, canceled);
        assert.ok(Date.now() - started < 1000, 'rejected promptly');
      } finally {
        await server.close();
      }
    });

    it('an already aborted signal sends nothing', async () => {
      const server = await rawServer();
      try {
        const socket = await connectRaw(server.port);
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(
          secureSocket(socket, {
            level: kCFStreamSocketSecurityLevelNegotiatedSSL,
            settings: undefined,
            defaultPeerName: 'localhost',
            signal: controller.signal,
          }),
          canceled,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(server.bytes(), 0);
      } finally {
        await server.close();
      }
    });

    it('a server-mode handshake can be aborted too', async () => {
      const pair = await socketPair();
      try {
        const controller = new AbortController();
        const secured = secureSocket(pair.server, {
          level: kCFStreamSocketSecurityLevelNone,
          settings: parseSSLSettings(serverIdentity),
          defaultPeerName: undefined,
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(secured, canceled);
        assert.ok(pair.server.destroyed);
      } finally {
        await pair.close();
      }
    });
  });
});
