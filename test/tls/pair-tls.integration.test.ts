/**
 * TLS on stream pairs: the pipeline step, CF's certificate checks through the
 * pair, peer certificates, server mode, STARTTLS, the deprecated protocol
 * call, no application byte before the handshake, and TLS through SOCKS.
 */
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import * as cf from '../../src/cf-functions.js';
import {
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamPropertySSLPeerCertificates,
  kCFStreamPropertySSLSettings,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSSLCertificates,
  kCFStreamSSLIsServer,
  kCFStreamSSLPeerName,
  SecurityProtocol,
  StreamEvent,
  StreamStatus,
} from '../../src/constants.js';
import { ErrorDomain, SSLError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import {
  createPairWithSocket,
  createPairWithSocketToHost,
  type StreamPair,
} from '../../src/stream/stream-pair.js';
import { kCFStreamSSLTrustedRoots } from '../../src/tls/index.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { danteUnavailable, startDante } from '../support/dante.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { sleep, startServer, waitFor } from '../support/tcp-peers.js';
import { type TestCA, testCA } from '../support/test-ca.js';
import { nodeTLSServer } from './tls-fixtures.js';

function firstError(pair: StreamPair): Promise<StreamError> {
  return new Promise((resolve) => {
    pair.readStream.setClient(StreamEvent.ErrorOccurred, (s) =>
      resolve(s.copyError() as StreamError),
    );
    pair.open();
  });
}

describe('TLS on stream pairs', function () {
  this.timeout(30_000);
  let ca: TestCA;
  before(async () => {
    requirePrivateNetwork();
    ca = await testCA();
  });

  it('echoes through a pair secured with a private CA, and shows the peer chain', async () => {
    const server = await nodeTLSServer(ca.viaIntermediate);
    try {
      const pair = createPairWithSocketToHost('localhost', server.port);
      assert.equal(
        pair.readStream.setProperty(kCFStreamPropertySSLSettings, {
          [kCFStreamSSLTrustedRoots]: ca.root.cert,
        }),
        true,
      );
      const data = randomBytes(1024 * 1024);
      let peer: unknown;
      pair.writeStream.events$.subscribe((e) => {
        if (e.type === StreamEvent.OpenCompleted)
          peer = pair.writeStream.copyProperty(kCFStreamPropertySSLPeerCertificates);
      });
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      assert.ok(Array.isArray(peer) && peer[0] instanceof X509Certificate);
      assert.equal(
        (peer as X509Certificate[])[0]!.fingerprint256,
        new X509Certificate(ca.viaIntermediate.cert).fingerprint256,
      );
      pair.close();
    } finally {
      await server.close();
    }
  });

  it('refuses, by default, a root it does not know and a wrong host name, with SSL codes', async () => {
    const unknown = await nodeTLSServer(ca.unknownRoot);
    const wrongName = await nodeTLSServer(ca.wrongHost);
    try {
      const a = createPairWithSocketToHost('localhost', unknown.port);
      a.readStream.setProperty(
        kCFStreamPropertySocketSecurityLevel,
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      const e1 = await firstError(a);
      assert.equal(e1.domain, ErrorDomain.SSL);
      assert.equal(e1.code, SSLError.errSSLUnknownRootCert);
      a.close();
      const b = createPairWithSocketToHost('localhost', wrongName.port);
      b.readStream.setProperty(kCFStreamPropertySSLSettings, {
        [kCFStreamSSLTrustedRoots]: ca.root.cert,
      });
      const e2 = await firstError(b);
      assert.deepEqual(e2.toCFStreamError(), {
        domain: ErrorDomain.SSL,
        error: SSLError.errSSLHostNameMismatch,
      });
      assert.deepEqual(b.writeStream.getError(), e2.toCFStreamError(), 'both streams hear of it');
      b.close();
      // PeerName names the certificate's host instead.
      const c = createPairWithSocketToHost('localhost', wrongName.port);
      c.readStream.setProperty(kCFStreamPropertySSLSettings, {
        [kCFStreamSSLTrustedRoots]: ca.root.cert,
        [kCFStreamSSLPeerName]: 'wrong.example',
      });
      const data = randomBytes(1000);
      assert.equal((await echoThroughCF(c, data)).sha256, sha256(data));
      c.close();
    } finally {
      await unknown.close();
      await wrongName.close();
    }
  });

  it('sends no application byte before the handshake has completed', async () => {
    const received: Buffer[] = [];
    // Answers nothing: the handshake never completes.
    const server = await startServer((socket) =>
      socket.on('data', (d: Buffer) => received.push(d)),
    );
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      pair.readStream.setProperty(
        kCFStreamPropertySocketSecurityLevel,
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      const duplex = pair.toDuplex();
      duplex.on('error', () => {});
      duplex.write('SECRET APPLICATION DATA');
      await waitFor(() => received.length > 0, 5000, 'the ClientHello');
      await sleep(200);
      const all = Buffer.concat(received);
      assert.equal(all[0], 0x16, 'first byte is not a TLS handshake record');
      assert.equal(all.includes('SECRET'), false);
      assert.equal(pair.writeStream.getStatus(), StreamStatus.Opening);
      duplex.destroy();
    } finally {
      await server.close();
    }
  });

  it('secures an accepted socket in server mode: both ends are cfsocketstream', async () => {
    let serverPair: StreamPair | undefined;
    const server = await startServer((socket) => {
      serverPair = createPairWithSocket(socket);
      serverPair.readStream.setProperty(kCFStreamPropertySSLSettings, {
        [kCFStreamSSLIsServer]: true,
        [kCFStreamSSLCertificates]: [{ key: ca.valid.key, cert: ca.valid.cert }, ...ca.valid.chain],
      });
      const duplex = serverPair.toDuplex();
      duplex.on('error', () => {});
      duplex.pipe(duplex);
    });
    try {
      const client = createPairWithSocketToHost('127.0.0.1', server.port);
      client.readStream.setProperty(kCFStreamPropertySSLSettings, {
        [kCFStreamSSLTrustedRoots]: ca.root.cert,
      });
      const data = randomBytes(256 * 1024);
      assert.equal((await echoThroughCF(client, data)).sha256, sha256(data));
      client.close();
      serverPair?.close();
    } finally {
      await server.close();
    }
  });

  it('upgrades an open pair with STARTTLS: earlier bytes in order, later ones never in clear', async () => {
    let upgraded: TLSSocket | undefined;
    const server = await startServer((socket: Socket) => {
      socket.once('data', (command: Buffer) => {
        assert.equal(command.toString(), 'STARTTLS\n');
        socket.write('220 go ahead\n');
        upgraded = new TLSSocket(socket, {
          isServer: true,
          key: ca.valid.key,
          cert: ca.valid.cert,
        });
        upgraded.on('error', () => {});
        upgraded.on('data', (d: Buffer) =>
          upgraded!.write(Buffer.concat([Buffer.from('secure:'), d])),
        );
      });
    });
    // A relay in the middle records every byte the client puts on the wire.
    const wire: Buffer[] = [];
    const relay = await startServer((client: Socket) => {
      const upstream = connect(server.port, '127.0.0.1');
      upstream.on('error', () => client.destroy());
      client.on('data', (d: Buffer) => wire.push(d));
      client.pipe(upstream).pipe(client);
    });
    try {
      const pair = createPairWithSocketToHost('localhost', relay.port);
      const { readStream: rs, writeStream: ws } = pair;
      const got: string[] = [];
      await new Promise<void>((resolve, reject) => {
        rs.setClient(31, (_s, type) => {
          if (type === StreamEvent.ErrorOccurred) reject(rs.copyError());
          if (type !== StreamEvent.HasBytesAvailable) return;
          const buffer = Buffer.alloc(100);
          const text = buffer.subarray(0, rs.read(buffer, 100)).toString();
          got.push(text);
          if (text === '220 go ahead\n') {
            assert.equal(
              rs.setProperty(kCFStreamPropertySSLSettings, {
                [kCFStreamSSLTrustedRoots]: ca.root.cert,
              }),
              true,
            );
            // Written right after the call: must travel inside TLS.
            assert.equal(ws.write(Buffer.from('hello'), 5), 5);
          } else if (text.startsWith('secure:')) {
            resolve();
          }
        });
        ws.setClient(StreamEvent.OpenCompleted, () => ws.write(Buffer.from('STARTTLS\n'), 9));
        pair.open();
      });
      assert.deepEqual(got, ['220 go ahead\n', 'secure:hello']);
      const sent = Buffer.concat(wire);
      assert.equal(sent.subarray(0, 9).toString(), 'STARTTLS\n');
      assert.equal(sent[9], 0x16, 'the upgrade did not start with a TLS handshake record');
      assert.equal(
        sent.includes('hello'),
        false,
        'a byte written after the upgrade went out in clear',
      );
      assert.ok(Array.isArray(rs.copyProperty(kCFStreamPropertySSLPeerCertificates)));
      // Already secured: a second upgrade is refused.
      assert.equal(
        rs.setProperty(
          kCFStreamPropertySocketSecurityLevel,
          kCFStreamSocketSecurityLevelNegotiatedSSL,
        ),
        false,
      );
      pair.close();
    } finally {
      upgraded?.destroy();
      await relay.close();
      await server.close();
    }
  });

  it('maps the deprecated protocol enum, refuses it once open, and never speaks SSLv3', async () => {
    const server = await startServer(() => {});
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      assert.equal(
        cf.CFSocketStreamPairSetSecurityProtocol(
          pair.readStream,
          pair.writeStream,
          SecurityProtocol.SSLv3,
        ),
        true,
      );
      assert.equal(
        pair.readStream.copyProperty(kCFStreamPropertySocketSecurityLevel),
        'kCFStreamSocketSecurityLevelSSLv3',
      );
      const error = await firstError(pair);
      assert.equal(error.domain, ErrorDomain.SSL);
      assert.match(error.message, /SSLv3/);
      assert.equal(
        cf.CFReadStreamPairSetSecurityProtocol(
          pair.readStream,
          pair.writeStream,
          SecurityProtocol.TLSv1,
        ),
        false,
      );
      pair.close();
      const fresh = createPairWithSocketToHost('127.0.0.1', server.port);
      assert.equal(
        cf.CFSocketStreamPairSetSecurityProtocol(
          fresh.readStream,
          fresh.writeStream,
          SecurityProtocol.SSLv23,
        ),
        true,
      );
      assert.equal(
        fresh.writeStream.copyProperty(kCFStreamPropertySocketSecurityLevel),
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      fresh.close();
    } finally {
      await server.close();
    }
  });

  it('checks the certificate against the destination, not the SOCKS proxy', async () => {
    const reason = danteUnavailable();
    if (reason !== undefined) throw new Error(`dante-server is needed: ${reason}`);
    const dante = await startDante({ auth: false });
    const server = await nodeTLSServer(ca.valid);
    try {
      const pair = createPairWithSocketToHost('localhost', server.port);
      pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
        SOCKSProxy: '127.0.0.1',
        SOCKSPort: dante.port,
      });
      pair.readStream.setProperty(kCFStreamPropertySSLSettings, {
        [kCFStreamSSLTrustedRoots]: ca.root.cert,
      });
      const data = randomBytes(64 * 1024);
      assert.equal((await echoThroughCF(pair, data)).sha256, sha256(data));
      assert.match(dante.log(), new RegExp(`\\.${server.port}\\b`));
      pair.close();
    } finally {
      await server.close();
      await dante.stop();
    }
  });
});
