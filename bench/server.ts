/**
 * The benchmark's TCP peer, run in its own child process so that the client
 * under test and the server do not share one event loop (on a 2-core machine
 * each gets a core). Started with fork(); it listens on 127.0.0.1 and sends
 * its ports to the parent over IPC.
 *
 *   source  sends `size` bytes (argv[2]) to every connection, then FIN.
 *   sink    counts what it receives; at the client's FIN it answers with the
 *           count as 8 bytes (big-endian) and FIN, so the client knows every
 *           byte arrived.
 *   echo    sends every byte back; FIN after the echo.
 *   idle    accepts and holds connections without sending anything.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { sendBytes } from './send-bytes.js';

const size = Number(process.argv[2]);
if (!Number.isSafeInteger(size) || size <= 0) throw new Error('usage: server.ts SIZE_BYTES');

/** What the server child reports to its parent. */
export interface ServerPorts {
  readonly source: number;
  readonly sink: number;
  readonly echo: number;
  readonly idle: number;
}

const noop = (): void => {};

function sink(socket: Socket): void {
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  socket.on('end', () => {
    const reply = Buffer.alloc(8);
    reply.writeBigUInt64BE(BigInt(received));
    socket.end(reply);
  });
}

async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', noop);
    onSocket(socket);
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const ports: ServerPorts = {
  source: await listen((socket) => {
    sendBytes(socket, size).catch(() => socket.destroy());
  }),
  sink: await listen(sink),
  echo: await listen((socket) => socket.pipe(socket)),
  idle: await listen((socket) => {
    socket.on('end', () => socket.destroy());
  }),
};
process.send?.(ports);
// The parent's exit closes the IPC channel: go with it.
process.on('disconnect', () => process.exit(0));
