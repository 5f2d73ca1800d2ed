/**
 * The TLS benchmark's peer, in its own child process (as server.ts is): a
 * tls.Server on 127.0.0.1 that sends `size` bytes (argv[2]) to every
 * connection, then FIN. Certificate and key paths are argv[3] and argv[4].
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';

const [sizeArg, certFile, keyFile] = process.argv.slice(2);
const size = Number(sizeArg);
if (!Number.isSafeInteger(size) || certFile === undefined || keyFile === undefined) {
  throw new Error('usage: tls-source.ts SIZE_BYTES CERT KEY');
}
const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);

async function sendAll(socket: TLSSocket): Promise<void> {
  let left = size;
  while (left > 0 && !socket.destroyed) {
    const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
    left -= chunk.length;
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
}

const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (socket) => {
    socket.on('error', () => {});
    void sendAll(socket);
  },
);
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send?.((server.address() as { port: number }).port);
});
process.on('SIGTERM', () => process.exit(0));
