/**
 * A tiny SOCKS5 proxy for the SOCKS sample (RFC 1928: no authentication,
 * CONNECT only), so the sample runs without installing one. Not for real
 * use: no access rules, no limits. Real proxies: dante-server, ssh -D.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Starts the proxy on 127.0.0.1 and a free port; `connections` counts CONNECTs served. */
export async function startTinySocks5Server(): Promise<{
  server: Server;
  port: number;
  connections: () => number;
}> {
  let connections = 0;
  // allowHalfOpen: a client that half-closes still gets the rest of the answer.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => client.destroy());
    void handshake(client).then((target) => {
      if (target) connections += 1;
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as { port: number }).port,
    connections: () => connections,
  };
}

/** Reads exactly `n` bytes from a paused socket. */
async function take(socket: Socket, n: number): Promise<Buffer> {
  for (;;) {
    const chunk = socket.read(n) as Buffer | null;
    if (chunk !== null) return chunk;
    if (socket.readableEnded || socket.destroyed) throw new Error('client went away');
    await once(socket, 'readable');
  }
}

async function handshake(client: Socket): Promise<Socket | undefined> {
  try {
    // Greeting: VER 5, NMETHODS, METHODS. We pick 0 (no authentication) or refuse with 0xFF.
    const [version, count] = await take(client, 2);
    const methods = await take(client, count ?? 0);
    if (version !== 5 || !methods.includes(0)) {
      client.end(Buffer.from([5, 0xff]));
      return undefined;
    }
    client.write(Buffer.from([5, 0]));
    // Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
    const [, command, , type] = await take(client, 4);
    let host: string;
    if (type === 1) host = [...(await take(client, 4))].join('.');
    else if (type === 3) host = (await take(client, (await take(client, 1))[0] ?? 0)).toString();
    else if (type === 4)
      host = ((await take(client, 16)).toString('hex').match(/..../g) ?? []).join(':');
    else return reply(client, 8); // address type not supported
    const port = (await take(client, 2)).readUInt16BE(0);
    if (command !== 1) return reply(client, 7); // command not supported
    const target = connect(port, host);
    target.once('error', () => reply(client, 5)); // connection refused (or unreachable)
    await once(target, 'connect');
    client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])); // succeeded; bound address not told
    client.pipe(target).pipe(client);
    target.on('error', () => client.destroy());
    return target;
  } catch {
    client.destroy();
    return undefined;
  }
}

function reply(client: Socket, code: number): undefined {
  client.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
  return undefined;
}
