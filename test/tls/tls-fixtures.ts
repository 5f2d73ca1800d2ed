/**
 * Shared pieces of the TLS tests: real TLS servers on 127.0.0.1:0 (Node's
 * tls.Server and `openssl s_server`), a client that connects and calls
 * secureSocket, and an assertion for SSL-domain errors. Every server closes
 * its sockets and process when the test is done.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { createServer, type TLSSocket, type TlsOptions } from 'node:tls';
import {
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  type SecurityLevel,
} from '../../src/constants.js';
import { ErrorDomain } from '../../src/error-codes.js';
import { StreamError } from '../../src/errors.js';
import { parseSSLSettings, secureSocket } from '../../src/tls/index.js';
import type { TestCertificate } from '../support/test-ca.js';

/** A server under test: its port, what it saw, and how to shut it down. */
export interface TestServer {
  readonly port: number;
  readonly close: () => Promise<void>;
}

/** Keeps track of sockets so a server can close with them. */
function tracked(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
}

/** A Node tls.Server presenting `certificate` (and its chain) that echoes what it reads. */
export async function nodeTLSServer(
  certificate: TestCertificate,
  options: TlsOptions = {},
): Promise<TestServer & { readonly secured: TLSSocket[] }> {
  const secured: TLSSocket[] = [];
  const server = createServer(
    { key: certificate.key, cert: [certificate.cert, ...certificate.chain].join(''), ...options },
    (socket) => {
      secured.push(socket);
      socket.on('error', () => {});
      socket.pipe(socket);
    },
  );
  server.on('tlsClientError', () => {});
  const sockets = tracked(server);
  const port = await listen(server);
  return { port, secured, close: () => shut(server, sockets) };
}

/** A plain TCP server that counts the bytes it receives and runs `onConnection` for each client. */
export async function rawServer(
  onConnection: (socket: Socket) => void = () => {},
): Promise<TestServer & { readonly bytes: () => number }> {
  let bytes = 0;
  const server = createNetServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    onConnection(socket);
  });
  const sockets = tracked(server);
  const port = await listen(server);
  return { port, bytes: () => bytes, close: () => shut(server, sockets) };
}

/** `openssl s_server -rev` (echoes lines reversed) on a free loopback port. */
export async function opensslServer(
  certificate: TestCertificate,
  extra: readonly string[] = [],
): Promise<TestServer> {
  const args = [
    's_server',
    '-accept',
    '127.0.0.1:0',
    '-cert',
    certificate.certFile,
    '-key',
    certificate.keyFile,
    '-rev',
    ...extra,
  ];
  if (certificate.chainFile !== undefined) args.push('-cert_chain', certificate.chainFile);
  const child: ChildProcessWithoutNullStreams = spawn('openssl', args, { stdio: 'pipe' });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ACCEPT \S*:(\d+)/.exec(output);
      if (match !== null) {
        child.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${output}`)));
  });
  // Keep draining its output so that a chatty server never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = once(child, 'close');
        child.kill();
        await closed;
      }
    },
  };
}

/** Connects to 127.0.0.1:port in the clear. */
export async function connectRaw(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Options for {@link secureClient}. */
export interface ClientOptions {
  readonly settings?: Record<string, unknown>;
  readonly level?: SecurityLevel;
  readonly defaultPeerName?: string | undefined;
  readonly signal?: AbortSignal;
}

/** Connects and secures as a client; `defaultPeerName` is "localhost" unless given. */
export async function secureClient(port: number, options: ClientOptions = {}): Promise<TLSSocket> {
  const socket = await connectRaw(port);
  return secureSocket(socket, {
    level: options.level ?? kCFStreamSocketSecurityLevelNegotiatedSSL,
    settings: options.settings === undefined ? undefined : parseSSLSettings(options.settings),
    defaultPeerName: 'defaultPeerName' in options ? options.defaultPeerName : 'localhost',
    signal: options.signal ?? new AbortController().signal,
  });
}

/** Destroys a socket and waits until it is closed. */
export async function closeSocket(socket: Socket): Promise<void> {
  if (socket.closed) return;
  const closed = once(socket, 'close');
  socket.destroy();
  await closed;
}

/** Asserts that a promise rejects with an SSL-domain StreamError with `code`; returns the error. */
export async function rejectsWithSSL(
  promise: Promise<unknown>,
  code: number,
): Promise<StreamError> {
  let caught: unknown;
  try {
    const socket = await promise;
    if (socket !== null && typeof socket === 'object' && 'destroy' in socket)
      await closeSocket(socket as Socket);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof StreamError,
    `expected an SSL StreamError ${code}, got ${String(caught ?? 'success')}`,
  );
  assert.equal(caught.domain, ErrorDomain.SSL, caught.message);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** Writes a line and reads until `expected` has arrived. */
export async function roundTrip(socket: TLSSocket, line: string, expected: string): Promise<void> {
  socket.write(line);
  let received = '';
  for await (const chunk of socket) {
    received += String(chunk);
    if (received.includes(expected)) return;
  }
  assert.fail(
    `connection ended before ${JSON.stringify(expected)} arrived (got ${JSON.stringify(received)})`,
  );
}
