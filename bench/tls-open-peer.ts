/**
 * The TLS open benchmark's peer, in its own child process so that its CPU is
 * not counted with the client's: a tls.Server on 127.0.0.1 presenting the
 * certificate in argv[2] (and the chain after it) with the key in argv[3]. It
 * holds each connection until the client closes it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [certFile, keyFile] = process.argv.slice(2);
if (certFile === undefined || keyFile === undefined) {
  throw new Error('usage: tls-open-peer.ts CERT KEY');
}

const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (socket) => {
    socket.on('error', () => {});
    socket.resume();
  },
);
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send?.((server.address() as { port: number }).port);
});
process.on('SIGTERM', () => process.exit(0));
