/** Real TCP peers on 127.0.0.1 for stream tests: an echo server and a scriptable server. */
import { createServer, type Server, type Socket } from 'node:net';

/** A server on `host`:`port` (127.0.0.1, any free port) that hands each accepted socket to `onSocket`; `close()` ends everything. */
export async function startServer(
  onSocket: (socket: Socket) => void,
  host = '127.0.0.1',
  listenPort = 0,
): Promise<{ port: number; server: Server; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An echo server: every byte comes back; the peer's FIN is answered with FIN after the echo. */
export function startEchoServer(): ReturnType<typeof startServer> {
  return startServer((socket) => socket.pipe(socket));
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
