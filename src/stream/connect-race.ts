/**
 * Connects to the first address that answers, racing them as Happy Eyeballs
 * does (RFC 8305): families interleaved, a new attempt every 250 ms (§5) or at
 * once when the previous attempt fails, the first connection wins and the
 * others are closed. When all fail, the last failure is reported.
 */
import { Socket } from 'node:net';
import { toStreamError } from '../errors.js';
import type { ResolvedAddress } from '../host/address.js';

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

/** Resolves with a connected socket (allowHalfOpen, so a peer's FIN does not end our side). */
export function connectToFirst(
  addresses: readonly ResolvedAddress[],
  port: number,
  options: ConnectOptions,
): Promise<Socket> {
  const { signal } = options;
  const delay = options.attemptDelayMs ?? CONNECTION_ATTEMPT_DELAY_MS;
  const queue = interleaveFamilies(addresses);
  return new Promise<Socket>((resolve, reject) => {
    if (queue.length === 0) {
      reject(
        toStreamError(
          Object.assign(new Error('no address to connect to'), { code: 'EADDRNOTAVAIL' }),
        ),
      );
      return;
    }
    const attempts = new Set<Socket>();
    let timer: NodeJS.Timeout | undefined;
    let lastError: unknown;
    let settled = false;

    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const socket of attempts) socket.destroy();
      attempts.clear();
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      reject(signal.reason);
    };
    const startNext = (): void => {
      clearTimeout(timer);
      const next = queue.shift();
      if (next === undefined) {
        if (attempts.size === 0 && !settled) {
          finish();
          reject(toStreamError(lastError));
        }
        return;
      }
      const socket = new Socket({ allowHalfOpen: true });
      attempts.add(socket);
      // 'error' before 'connect': the winner drops them in reverse order, which keeps the
      // socket's listener table compact (a pair's idle memory, docs/performance.md).
      socket.once('error', (error) => {
        attempts.delete(socket);
        socket.destroy();
        if (settled) return;
        lastError = error;
        startNext();
      });
      socket.once('connect', () => {
        if (settled) return;
        attempts.delete(socket);
        socket.removeAllListeners('error');
        finish();
        resolve(socket);
      });
      socket.connect({ host: next.address, port, family: next.family });
      if (queue.length > 0) timer = setTimeout(startNext, delay);
    };

    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    startNext();
  });
}
