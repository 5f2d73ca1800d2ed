/**
 * Shared by the negotiate tests: runs negotiateSOCKS through a scripted proxy
 * and checks what every run must leave behind (no handshake listeners), plus
 * assertions on the StreamError it reports.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { ErrorDomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  StreamError,
} from '../../src/errors.js';
import { negotiateSOCKS, type SOCKSProxySettings } from '../../src/socks/index.js';
import {
  connectTo,
  type ProxyConnection,
  type ScriptedProxy,
  startScriptedProxy,
} from './scripted-proxy.js';

export const ENOTCONN = 107;
export const GRANTED5 = [5, 0, 0, 1, 127, 0, 0, 1, 0x30, 0x39];
export const GRANTED4 = [0, 90, 0, 0, 0, 0, 0, 0];
export const DESTINATION = { host: 'printer.example', port: 631 };
const EVENTS = ['data', 'end', 'close', 'error'] as const;

export interface Run {
  readonly error: StreamError | undefined;
  readonly socket: Socket;
  readonly proxy: ScriptedProxy;
  readonly elapsedMs: number;
  readonly listenersBefore: Record<string, number>;
}

export interface RunOptions {
  readonly version?: 4 | 5;
  readonly user?: string;
  readonly password?: string;
  readonly destination?: { host: string; port: number };
  readonly timeoutMs?: number;
  readonly lookup?: (host: string) => Promise<string[]>;
  readonly signal?: AbortSignal;
  readonly onSocket?: (socket: Socket) => void;
}

const cleanups: (() => Promise<void>)[] = [];

export function listenerCounts(socket: Socket): Record<string, number> {
  return Object.fromEntries(EVENTS.map((event) => [event, socket.listenerCount(event)]));
}

/** Starts `script` as a proxy, connects, and runs the handshake through it. */
export async function negotiateThrough(
  script: (c: ProxyConnection) => Promise<void>,
  options: RunOptions = {},
): Promise<Run> {
  const proxy = await startScriptedProxy(script);
  cleanups.push(() => proxy.close());
  const socket = await connectTo(proxy);
  cleanups.push(async () => {
    socket.destroy();
    if (!socket.closed) await once(socket, 'close');
  });
  const settings: SOCKSProxySettings = {
    host: '127.0.0.1',
    port: proxy.port,
    version: options.version ?? 5,
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
  options.onSocket?.(socket);
  const listenersBefore = listenerCounts(socket);
  const started = Date.now();
  let error: StreamError | undefined;
  try {
    await negotiateSOCKS(socket, settings, options.destination ?? DESTINATION, {
      signal: options.signal ?? new AbortController().signal,
      lookup: options.lookup ?? (async () => ['10.9.8.7']),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  } catch (caught) {
    assert.ok(caught instanceof StreamError, `rejected with ${String(caught)}`);
    error = caught;
  }
  // Success or failure, every listener of the handshake is gone.
  assert.deepEqual(listenerCounts(socket), listenersBefore);
  return { error, socket, proxy, elapsedMs: Date.now() - started, listenersBefore };
}

export function assertSOCKS(run: Run, subdomain: number, code: number, meaning?: RegExp): void {
  const { error } = run;
  assert.ok(error, 'the handshake succeeded');
  assert.equal(error.domain, ErrorDomain.SOCKS, error.message);
  assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), subdomain, error.message);
  assert.equal(CFSocketStreamSOCKSGetError(error), code, error.message);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${run.proxy.port}`));
  if (meaning) assert.match(error.message, meaning);
}

export function assertPOSIX(run: Run, code: number): void {
  assert.ok(run.error, 'the handshake succeeded');
  assert.equal(run.error.domain, ErrorDomain.POSIX, run.error.message);
  assert.equal(run.error.code, code, run.error.message);
}

/** A SOCKS5 proxy that selects `method` and then does `then`. */
export function socks5(
  method: number,
  then: (c: ProxyConnection) => Promise<void> | void = () => {},
) {
  return async (c: ProxyConnection): Promise<void> => {
    await c.readGreeting();
    c.write([5, method]);
    await then(c);
  };
}

export function callerOnError(): void {}
export function callerOnClose(): void {}

/** Reads exactly `n` bytes from a paused socket through its 'data' events. */
export async function readExactly(socket: Socket, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) {
        socket.off('data', onData);
        socket.off('error', reject);
        socket.pause();
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    // The handshake leaves the socket explicitly paused: a 'data' listener alone does not resume it.
    socket.resume();
  });
  return Buffer.concat(chunks);
}

/** Closes every socket and proxy opened since the last call; call it from the suite's afterEach. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}
