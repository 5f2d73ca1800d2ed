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

/**
 * The order a race tries `addresses` in: the array itself when it is in
 * interleaveFamilies' order already, as a service's cache answer (an IPv4
 * address, then an IPv6 one) is, so a warm open makes no copies of it.
 */
function raceOrder(addresses: readonly ResolvedAddress[]): readonly ResolvedAddress[] {
  const first = addresses[0]?.family;
  let preferred = 0;
  for (const address of addresses) if (address.family === first) preferred += 1;
  // The first 2 * pairs alternate, starting with the first family; the rest are one family.
  const pairs = Math.min(preferred, addresses.length - preferred);
  for (let i = 0; i < 2 * pairs; i++) {
    if ((addresses[i]?.family === first) !== (i % 2 === 0)) return interleaveFamilies(addresses);
  }
  return addresses;
}

// The order of a race that tries nothing (its port is refused).
const NONE: readonly ResolvedAddress[] = [];

/** How a race ends: a connected socket, or the failure of the last attempt. */
export type RaceCallback = (error: Error | undefined, socket: Socket | undefined) => void;

/**
 * Starts the race and returns its cancel function; `done` is called once,
 * never synchronously, and never after cancel. Callbacks rather than a
 * promise and an AbortSignal: a pair whose addresses are already known opens
 * through this alone (an AbortController costs more than the rest of the
 * race, docs/performance.md). A warm open to a service races two addresses
 * and wins with the first, so the race makes little beyond that attempt:
 * no copy of the addresses when their order is RFC 8305's already, no set
 * of attempts (an array, made with the first), no closure per address not
 * tried; its attempt delay is one entry in the shared timer.
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
  const order = badPort === undefined ? raceOrder(addresses) : NONE;
  // The attempts still connecting, oldest first (made with the first: most races have one).
  let attempts: Socket[] | undefined;
  let next = 0;
  let timer: Scheduled | undefined;
  let lastError: unknown;
  let settled = false;

  // Ends the race, closing every attempt but the winner's; also the cancel function returned.
  const finish = (winner?: Socket): void => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    if (attempts !== undefined)
      for (const socket of attempts) if (socket !== winner) socket.destroy();
    attempts = undefined;
  };
  const startNext = (): void => {
    timer?.cancel();
    const address = order[next];
    if (address === undefined) {
      if (attempts === undefined || attempts.length === 0) {
        if (settled) return;
        finish();
        done(toStreamError(lastError), undefined);
      }
      return;
    }
    next += 1;
    const socket = new Socket({ allowHalfOpen: true });
    if (attempts === undefined) attempts = [socket];
    else attempts.push(socket);
    const onError = (error: Error): void => {
      // Once, as the winner's two below (a later error of the destroyed socket is not ours).
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      socket.destroy();
      if (settled) return;
      const i = attempts?.indexOf(socket) ?? -1;
      if (i >= 0) attempts?.splice(i, 1);
      lastError = error;
      startNext();
    };
    const onConnect = (): void => {
      // Removed in the reverse order they were added: the socket's listener table stays
      // compact (a pair's idle memory, docs/performance.md).
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (settled) return;
      finish(socket);
      done(undefined, socket);
    };
    socket.on('error', onError);
    socket.on('connect', onConnect);
    socket.connect({ host: address.address, port, family: address.family });
    if (next < order.length) timer = runAfter(delay, startNext);
  };

  // A port from the network (a service's SRV record) may be 0: refused by the port rule before
  // any connect, with the same error wherever the port came from (not the kernel's ECONNREFUSED).
  if (badPort !== undefined) {
    lastError = badPort;
    process.nextTick(startNext);
  } else if (order.length === 0) {
    lastError = Object.assign(new Error('no address to connect to'), { code: 'EADDRNOTAVAIL' });
    process.nextTick(startNext);
  } else {
    startNext();
  }
  return finish;
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
