/**
 * Connects to the first address that answers, racing them as Happy Eyeballs
 * does (RFC 8305): families interleaved, a new attempt every 250 ms (§5) or at
 * once when the previous attempt fails, the first connection wins and the
 * others are closed. When all fail, the last failure is reported.
 */
import { Socket } from 'node:net';
import type { ResolvedAddress } from '../address.js';
import { toStreamError } from '../errors.js';
import { portError } from '../port.js';
import { runAfter, type Scheduled } from '../shared-timer.js';

/** RFC 8305 §8: the recommended Connection Attempt Delay. */
export const CONNECTION_ATTEMPT_DELAY_MS = 250;

/** Options for {@link connectToFirst}. */
export interface ConnectOptions {
  readonly signal: AbortSignal;
  readonly attemptDelayMs?: number;
}

/** RFC 8305 §4: alternate families, starting with the family of the first address given. */
export function interleaveFamilies(addresses: readonly ResolvedAddress[]): ResolvedAddress[] {
  const first = addresses[0]?.family;
  const preferred = addresses.filter((a) => a.family === first);
  const other = addresses.filter((a) => a.family !== first);
  const result: ResolvedAddress[] = [];
  for (let i = 0; i < Math.max(preferred.length, other.length); i++) {
    if (i < preferred.length) result.push(preferred[i]!);
    if (i < other.length) result.push(other[i]!);
  }
  return result;
}

/** How a race ends: a connected socket, or the failure of the last attempt. */
export type RaceCallback = (error: Error | undefined, socket: Socket | undefined) => void;

/**
 * Starts the race and returns its cancel function; `done` is called once,
 * never synchronously, and never after cancel. Callbacks rather than a
 * promise and an AbortSignal: a pair whose addresses are already known opens
 * through this alone (an AbortController costs more than the rest of the
 * race, docs/performance.md).
 */
export function raceConnect(
  addresses: readonly ResolvedAddress[],
  port: number,
  attemptDelayMs: number | undefined,
  done: RaceCallback,
): () => void {
  const badPort = portError(port, 'connect');
  const only = addresses.length === 1 ? addresses[0] : undefined;
  if (only !== undefined && badPort === undefined) return connectOne(only, port, done);
  const delay = attemptDelayMs ?? CONNECTION_ATTEMPT_DELAY_MS;
  const queue = interleaveFamilies(addresses);
  const attempts = new Set<Socket>();
  let timer: Scheduled | undefined;
  let lastError: unknown;
  let settled = false;

  const finish = (): void => {
    settled = true;
    timer?.cancel();
    for (const socket of attempts) socket.destroy();
    attempts.clear();
  };
  const startNext = (): void => {
    timer?.cancel();
    const next = queue.shift();
    if (next === undefined) {
      if (attempts.size === 0 && !settled) {
        finish();
        done(toStreamError(lastError), undefined);
      }
      return;
    }
    const socket = new Socket({ allowHalfOpen: true });
    attempts.add(socket);
    const onError = (error: Error): void => {
      // Once, as the winner's two below (a later error of the destroyed socket is not ours).
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      attempts.delete(socket);
      socket.destroy();
      if (settled) return;
      lastError = error;
      startNext();
    };
    const onConnect = (): void => {
      // Removed in the reverse order they were added: the socket's listener table stays
      // compact (a pair's idle memory, docs/performance.md).
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (settled) return;
      attempts.delete(socket);
      finish();
      done(undefined, socket);
    };
    socket.on('error', onError);
    socket.on('connect', onConnect);
    socket.connect({ host: next.address, port, family: next.family });
    if (queue.length > 0) timer = runAfter(delay, startNext);
  };

  // A port from the network (a service's SRV record) may be 0: refused by the port rule before
  // any connect, with the same error wherever the port came from (not the kernel's ECONNREFUSED).
  if (badPort !== undefined) {
    queue.length = 0;
    lastError = badPort;
    process.nextTick(startNext);
  } else if (queue.length === 0) {
    lastError = Object.assign(new Error('no address to connect to'), { code: 'EADDRNOTAVAIL' });
    process.nextTick(startNext);
  } else {
    startNext();
  }
  return () => {
    if (!settled) finish();
  };
}

/**
 * The race of one address: nothing to race, so no queue, no set of attempts
 * and no attempt timer (a warm open to a literal address comes this way).
 * Same contract as raceConnect.
 */
function connectOne(address: ResolvedAddress, port: number, done: RaceCallback): () => void {
  const socket = new Socket({ allowHalfOpen: true });
  let settled = false;
  const onError = (error: Error): void => {
    if (settled) return;
    settled = true;
    socket.removeListener('connect', onConnect);
    socket.destroy();
    done(toStreamError(error), undefined);
  };
  const onConnect = (): void => {
    if (settled) return;
    settled = true;
    // Removed in the reverse order they were added (see startNext above).
    socket.removeListener('connect', onConnect);
    socket.removeListener('error', onError);
    done(undefined, socket);
  };
  socket.on('error', onError);
  socket.on('connect', onConnect);
  socket.connect({ host: address.address, port, family: address.family });
  return () => {
    if (settled) return;
    settled = true;
    socket.destroy();
  };
}

/** Resolves with a connected socket (allowHalfOpen, so a peer's FIN does not end our side). */
export function connectToFirst(
  addresses: readonly ResolvedAddress[],
  port: number,
  options: ConnectOptions,
): Promise<Socket> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<Socket>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(signal.reason);
    };
    const cancel = raceConnect(addresses, port, options.attemptDelayMs, (error, socket) => {
      signal.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve(socket as Socket);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
