/**
 * TLS with a private certificate authority, as LAN devices often have.
 *
 *   node --import tsx samples/tls-private-ca.ts
 *
 * A TLS echo server on 127.0.0.1 presents a certificate for "localhost"
 * signed by a private CA (samples/certs: sample keys, published on purpose,
 * never trust them for anything real). The first pair sets only the security
 * level: the system roots do not know the CA, so the open fails with an
 * SSL-domain error. The second adds the CA with kCFStreamSSLTrustedRoots (an
 * extra settings key of this library) and succeeds; the peer name checked is
 * the host name the pair was made with ("localhost").
 */

import type { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import {
  createPairWithSocketToHost,
  domainName,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamPropertySSLPeerCertificates,
  kCFStreamPropertySSLSettings,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSSLTrustedRoots,
  StreamError,
  type StreamPair,
} from '../src/index.js';

const certs = new URL('./certs/', import.meta.url);
const caPem = readFileSync(new URL('ca.pem', certs), 'utf8');
const server = createServer(
  {
    cert: readFileSync(new URL('server.pem', certs)),
    key: readFileSync(new URL('server-key.pem', certs)),
  },
  (socket) => socket.pipe(socket),
);
server.on('tlsClientError', () => {}); // the first client hangs up on us, on purpose
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };

// 1. System roots only: refused.
const untrusted = createPairWithSocketToHost('localhost', port);
untrusted.readStream.setProperty(
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
);
try {
  await echo(untrusted, 'never sent\n');
} catch (error) {
  if (!(error instanceof StreamError)) throw error;
  console.log(`without the CA: ${domainName(error.domain)} error ${error.code}`);
}

// 2. Trust the private CA too: accepted.
const trusted = createPairWithSocketToHost('localhost', port);
trusted.readStream.setProperty(kCFStreamPropertySSLSettings, {
  [kCFStreamSSLTrustedRoots]: [caPem],
});
console.log(`with the CA: echoed ${JSON.stringify(await echo(trusted, 'over TLS\n'))}`);
server.close();

/** Sends `text` through the pair as a Duplex and resolves with everything read back. */
async function echo(pair: StreamPair, text: string): Promise<string> {
  const duplex = pair.toDuplex();
  duplex.end(text);
  let received = '';
  try {
    for await (const chunk of duplex) {
      if (received === '') showPeer(pair);
      received += String(chunk);
    }
  } finally {
    pair.close();
  }
  return received;
}

/** The chain the server sent, leaf first (read-only property, set once TLS is up). */
function showPeer(pair: StreamPair): void {
  const chain = pair.readStream.copyProperty(kCFStreamPropertySSLPeerCertificates) as
    | X509Certificate[]
    | undefined;
  const leaf = chain?.[0];
  if (leaf) console.log(`server certificate: ${leaf.subject} (issued by ${leaf.issuer})`);
}
