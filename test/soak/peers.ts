/**
 * The soak's peers: a TLS echo server on 127.0.0.1 that keeps no reference
 * to a connection once it has closed (so the soak's heap measures the
 * library, not the test server) and hashes every byte it receives, and a
 * runner that keeps a bounded number of tasks in flight.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { TestCertificate } from '../support/test-ca.js';

/** What the server received on a connection that has ended. */
export interface Received {
  readonly bytes: number;
  readonly sha256: string;
}

/** A running TLS echo server. */
export interface TLSEchoServer {
  readonly port: number;
  /** Connections open right now. */
  readonly open: () => number;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  /** What the most recently ended connection received. */
  readonly lastReceived: () => Received | undefined;
  /** Listeners on the server object (part of the soak's listener count). */
  readonly listeners: () => number;
  readonly close: () => Promise<void>;
}

/** Starts a TLS echo server presenting `certificate`; each connection's input is hashed. */
export async function startTLSEchoServer(certificate: TestCertificate): Promise<TLSEchoServer> {
  const sockets = new Set<TLSSocket>();
  let accepted = 0;
  let last: Received | undefined;
  const server: Server = createServer(
    {
      key: certificate.key,
      cert: [certificate.cert, ...certificate.chain].join(''),
      allowHalfOpen: true,
    },
    (socket) => {
      accepted += 1;
      sockets.add(socket);
      const hash = createHash('sha256');
      let bytes = 0;
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        // Echo with backpressure: a client that stops reading stops us reading too.
        if (!socket.write(chunk)) {
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      });
      socket.on('end', () => {
        last = { bytes, sha256: hash.digest('hex') };
        socket.end();
      });
      socket.once('close', () => sockets.delete(socket));
    },
  );
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    open: () => sockets.size,
    accepted: () => accepted,
    lastReceived: () => last,
    listeners: () => server.eventNames().reduce((n, name) => n + server.listenerCount(name), 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The outcome of a bounded run. */
export interface RunResult {
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The first few failures, as messages. */
  readonly errors: readonly string[];
  /** True when the deadline stopped the run before `count` tasks started. */
  readonly timedOut: boolean;
  readonly elapsedMs: number;
}

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight; starts no new
 * task after `deadlineMs`. Every task must settle on its own (each has its
 * own timeout), so the run ends.
 */
export async function runBounded(
  count: number,
  concurrency: number,
  deadlineMs: number,
  task: (index: number) => Promise<void>,
  onProgress: (done: number) => void = () => {},
): Promise<RunResult> {
  const started = Date.now();
  let next = 0;
  let succeeded = 0;
  let failed = 0;
  let timedOut = false;
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (Date.now() - started > deadlineMs) {
        timedOut = true;
        return;
      }
      const index = next;
      next += 1;
      try {
        await task(index);
        succeeded += 1;
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push(`#${index}: ${(error as Error).message}`);
      }
      onProgress(succeeded + failed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return {
    started: next,
    succeeded,
    failed,
    errors,
    timedOut,
    elapsedMs: Date.now() - started,
  };
}
