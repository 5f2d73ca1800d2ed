/**
 * negotiateSOCKS against a real proxy: dante-server on 127.0.0.1, with and
 * without RFC 1929 username/password, relaying to an echo server on
 * 127.0.0.1:0. Loopback only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ErrorDomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  StreamError,
} from '../../src/errors.js';
import { negotiateSOCKS, type SOCKSProxySettings } from '../../src/socks/index.js';
import {
  DANTE_PASSWORD,
  DANTE_USER,
  type DanteServer,
  danteUnavailable,
  startDante,
} from '../support/dante.js';

const noLookup = async (): Promise<string[]> => {
  throw Object.assign(new Error('lookup refused by the test'), { code: 'ENOTFOUND' });
};

describe('socks through dante-server (integration)', function () {
  this.timeout(20000);
  let echo: Server | undefined;
  let echoPort = 0;
  let open: DanteServer | undefined;
  let authenticating: DanteServer | undefined;
  const sockets = new Set<Socket>();

  before(async () => {
    // A missing proxy is a failure, not a skip: a skipped test proves nothing.
    const reason = danteUnavailable();
    if (reason !== undefined) throw new Error(`dante-server is needed for these tests: ${reason}`);
    echo = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
      socket.pipe(socket);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    echoPort = (echo.address() as { port: number }).port;
    open = await startDante({ auth: false });
    authenticating = await startDante({ auth: true });
  });

  after(async () => {
    await authenticating?.stop();
    await open?.stop();
    for (const socket of sockets) socket.destroy();
    if (echo !== undefined) await new Promise<void>((resolve) => echo?.close(() => resolve()));
  });

  /** Connects to `dante`, negotiates a CONNECT to `host`:echo port, and returns the socket. */
  async function through(
    dante: DanteServer | undefined,
    settings: Partial<SOCKSProxySettings>,
    host = '127.0.0.1',
    lookup: (host: string) => Promise<string[]> = noLookup,
  ): Promise<Socket> {
    assert.ok(dante);
    const socket = connect(dante.port, dante.host);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    await once(socket, 'connect');
    try {
      await negotiateSOCKS(
        socket,
        { host: dante.host, port: dante.port, version: 5, ...settings },
        { host, port: echoPort },
        { signal: new AbortController().signal, lookup, timeoutMs: 5000 },
      );
    } catch (error) {
      socket.destroy();
      await once(socket, 'close');
      throw error;
    }
    return socket;
  }

  /** Sends `payload` and checks it comes back whole, then closes the socket. */
  async function assertEchoes(socket: Socket, payload: Buffer): Promise<void> {
    const chunks: Buffer[] = [];
    let received = 0;
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= payload.length) resolve();
      });
      socket.once('error', reject);
      socket.once('end', () =>
        reject(new Error(`end after ${received} of ${payload.length} bytes`)),
      );
    });
    socket.resume();
    socket.write(payload);
    await done;
    assert.ok(Buffer.concat(chunks).equals(payload), 'the echo differs from what was sent');
    socket.end();
    if (!socket.closed) await once(socket, 'close');
  }

  it('echoes through SOCKS5 without authentication (IPv4 literal destination)', async () => {
    await assertEchoes(await through(open, {}), Buffer.from('hello through dante'));
  });

  it('echoes 4 MiB through SOCKS5 to a DOMAINNAME destination the proxy resolves', async () => {
    await assertEchoes(await through(open, {}, 'localhost'), randomBytes(4 * 1024 * 1024));
  });

  it('echoes through SOCKS5 with username/password (RFC 1929)', async () => {
    const socket = await through(authenticating, { user: DANTE_USER, password: DANTE_PASSWORD });
    await assertEchoes(socket, Buffer.from('authenticated hello'));
  });

  it('reports a wrong password as SOCKS5UserPass (3) with the server status, without credentials', async () => {
    await assert.rejects(
      through(authenticating, { user: DANTE_USER, password: 'not-the-password' }),
      (error: unknown) => {
        assert.ok(error instanceof StreamError);
        assert.equal(error.domain, ErrorDomain.SOCKS);
        assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), 3, error.message);
        // dante 1.4 answers RFC 1929 failures with status X'01'.
        assert.equal(CFSocketStreamSOCKSGetError(error), 1, error.message);
        assert.doesNotMatch(error.message, /not-the-password|cfsocks/);
        return true;
      },
    );
  });

  it('reports NoAcceptableMethod (SOCKS5Method 0xFF) when credentials are required but not set', async () => {
    await assert.rejects(through(authenticating, {}), (error: unknown) => {
      assert.ok(error instanceof StreamError);
      assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), 4, error.message);
      assert.equal(CFSocketStreamSOCKSGetError(error), 0xff, error.message);
      return true;
    });
  });

  it('echoes through SOCKS4 with a locally resolved address', async () => {
    let looked = '';
    const lookup = async (host: string): Promise<string[]> => {
      looked = host;
      return ['127.0.0.1'];
    };
    await assertEchoes(
      await through(open, { version: 4, user: 'tester' }, 'echo.test', lookup),
      Buffer.from('socks4 hello'),
    );
    assert.equal(looked, 'echo.test');
  });

  it('reports dante refusing a SOCKS4a request (it implements SOCKS4 only) as SOCKS4Response 91', async () => {
    // dante 1.4.2 answers every 4a request (DSTIP 0.0.0.1 + name) with status 91;
    // the 4a wire format itself is checked against the scripted proxy.
    await assert.rejects(through(open, { version: 4 }, 'localhost'), (error: unknown) => {
      assert.ok(error instanceof StreamError);
      assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), 2, error.message);
      assert.equal(CFSocketStreamSOCKSGetError(error), 91, error.message);
      assert.match(error.message, /request rejected or failed/);
      return true;
    });
  });
});
