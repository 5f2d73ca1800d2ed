/**
 * The one port rule, used wherever a port comes in (pair creation, a SOCKS
 * proxy's port and destination, a resolved service, NetService, the CLI): a
 * TCP port is an integer from 0 to 65535 (RFC 9293 §3.1, a 16-bit field), and
 * a port to connect to is never 0, which names no peer (no server listens on
 * it). A port we publish may be 0: DNS-SD registers such a service
 * as a placeholder with no port to connect to (docs/decisions.md).
 */
import { posixError, type StreamError } from './errors.js';

/** What a port is for: a peer to connect to, or a service we publish. */
export type PortUse = 'connect' | 'publish';

const MAX_PORT = 65535;

const lowest = (use: PortUse): number => (use === 'connect' ? 1 : 0);

/** Why `port` breaks the rule for `use` (a message naming it as `what`), or undefined when it is fine. */
export function portProblem(port: unknown, use: PortUse, what = 'port'): string | undefined {
  const min = lowest(use);
  if (typeof port === 'number' && Number.isInteger(port) && port >= min && port <= MAX_PORT)
    return undefined;
  const shown = typeof port === 'string' ? JSON.stringify(port) : String(port);
  return `${what} must be an integer from ${min} to ${MAX_PORT}, got ${shown}`;
}

/** Returns `port` when it follows the rule for `use`; otherwise throws the rule's RangeError. */
export function checkPort(port: unknown, use: PortUse, what = 'port'): number {
  const problem = portProblem(port, use, what);
  if (problem !== undefined) throw new RangeError(problem);
  return port as number;
}

/**
 * The rule's error for a port met during an open (a resolved service, a SOCKS
 * destination), where nobody can be thrown at: POSIX EINVAL with the same
 * message, the rule's RangeError as its cause. Undefined when the port is fine.
 */
export function portError(port: unknown, use: PortUse, what = 'port'): StreamError | undefined {
  const problem = portProblem(port, use, what);
  return problem === undefined ? undefined : posixError('EINVAL', problem, new RangeError(problem));
}
