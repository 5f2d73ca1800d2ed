/**
 * The TLS benchmark's peer, in its own child process (as server.ts is): a
 * tls.Server on 127.0.0.1 that sends `size` bytes (argv[2]) to every
 * connection, then FIN. Certificate and key paths are argv[3] and argv[4].
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { sendBytes } from './send-bytes.js';

const [sizeArg, certFile, keyFile] = process.argv.slice(2);
const size = Number(sizeArg);
if (!Number.isSafeInteger(size) || certFile === undefined || keyFile === undefined) {
  throw new Error('usage: tls-source.ts SIZE_BYTES CERT KEY');
}

const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (socket) => {
    socket.on('error', () => {});
    sendBytes(socket, size).catch(() => socket.destroy());
  },
);
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send?.((server.address() as { port: number }).port);
});
process.on('SIGTERM', () => process.exit(0));
