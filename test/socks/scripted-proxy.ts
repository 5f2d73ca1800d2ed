/**
 * A scripted SOCKS "proxy" for tests: an in-process server on 127.0.0.1:0
 * whose every connection runs a script that reads exactly what the client
 * sent and answers whatever the test wants, well-formed or hostile. It
 * records every byte it received and closes everything it opened.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One client connection as the script sees it. */
export class ProxyConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;
  /** Every byte received on this connection, in order. */
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Exactly `n` bytes from the client; rejects if the client closes first. */
  async read(n: number): Promise<Buffer> {
    while (this.#buffer.length < n) {
      if (this.#ended || this.socket.destroyed)
        throw new Error(`client closed after ${this.#buffer.length} of ${n} bytes`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** Bytes up to and including the next NUL. */
  async readUntilNul(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const byte = await this.read(1);
      parts.push(byte);
      if (byte[0] === 0) return Buffer.concat(parts);
    }
  }

  /** RFC 1928 §3 greeting: VER, NMETHODS, METHODS. */
  async readGreeting(): Promise<Buffer> {
    const head = await this.read(2);
    return Buffer.concat([head, await this.read(head[1]!)]);
  }

  /** RFC 1929 §2 request: VER, ULEN, UNAME, PLEN, PASSWD. */
  async readUserPass(): Promise<{ user: string; password: string }> {
    const [, ulen] = await this.read(2);
    const user = (await this.read(ulen!)).toString('utf8');
    const [plen] = await this.read(1);
    return { user, password: (await this.read(plen!)).toString('utf8') };
  }

  /** RFC 1928 §4 request: VER, CMD, RSV, ATYP, DST.ADDR, DST.PORT. */
  async readConnect(): Promise<Buffer> {
    const head = await this.read(4);
    const atyp = head[3];
    let address: Buffer;
    if (atyp === 1) address = await this.read(4);
    else if (atyp === 4) address = await this.read(16);
    else {
      const length = await this.read(1);
      address = Buffer.concat([length, await this.read(length[0]!)]);
    }
    return Buffer.concat([head, address, await this.read(2)]);
  }

  /** SOCKS4 request, with the 4a host name when DSTIP is 0.0.0.x. */
  async readSOCKS4(): Promise<Buffer> {
    const head = await this.read(8);
    const user = await this.readUntilNul();
    const is4a = head[4] === 0 && head[5] === 0 && head[6] === 0 && head[7] !== 0;
    return Buffer.concat([head, user, is4a ? await this.readUntilNul() : Buffer.alloc(0)]);
  }

  write(bytes: ArrayLike<number> | string): void {
    this.socket.write(typeof bytes === 'string' ? bytes : Buffer.from(bytes as ArrayLike<number>));
  }

  /** Writes one byte at a time with `delayMs` between them (Nagle off so segments stay apart). */
  async writeSlowly(bytes: ArrayLike<number>, delayMs = 5): Promise<void> {
    this.socket.setNoDelay(true);
    for (const byte of Array.from(bytes)) {
      this.socket.write(Buffer.from([byte]));
      await sleep(delayMs);
    }
  }

  /** Sends FIN. */
  end(bytes?: ArrayLike<number>): void {
    if (bytes === undefined) this.socket.end();
    else this.socket.end(Buffer.from(bytes as ArrayLike<number>));
  }
}

/** A running scripted proxy. */
export interface ScriptedProxy {
  readonly port: number;
  readonly connections: ProxyConnection[];
  /** Rejections of the script (a test can assert the script completed). */
  readonly scriptErrors: unknown[];
  /** Resolves when the script of the first connection has finished. */
  readonly firstScriptDone: Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 running `script` for each connection. */
export async function startScriptedProxy(
  script: (connection: ProxyConnection) => Promise<void>,
): Promise<ScriptedProxy> {
  const connections: ProxyConnection[] = [];
  const scriptErrors: unknown[] = [];
  let markDone: () => void = () => {};
  const firstScriptDone = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  const server: Server = createServer((socket) => {
    const connection = new ProxyConnection(socket);
    connections.push(connection);
    script(connection)
      .catch((error: unknown) => {
        scriptErrors.push(error);
      })
      .finally(markDone);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    connections,
    scriptErrors,
    firstScriptDone,
    async close() {
      for (const connection of connections) connection.socket.destroy();
      await Promise.all(connections.map((connection) => connection.closed));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client socket connected to `port` on 127.0.0.1, and its connection on the proxy side. */
export async function connectTo(proxy: ScriptedProxy): Promise<Socket> {
  const socket = connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}
