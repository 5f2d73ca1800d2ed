/**
 * The `connect` target: `host:port`, `[v6]:port`, or a service instance name
 * ("My Echo._echo._tcp.local."). A colon followed by digits at the end means
 * a port; anything else must be a service instance name (`_x._tcp` or `_x._udp`).
 */
import { NetService } from '../index.js';
import { parsePort, UsageError } from './args.js';

/** Where `connect` goes. */
export type ConnectTarget =
  | { readonly kind: 'host'; readonly host: string; readonly port: number }
  | { readonly kind: 'service'; readonly service: NetService };

/** Parses a target; throws UsageError for anything that is neither form. */
export function parseTarget(text: string): ConnectTarget {
  const hostPort = parseHostPort(text, 'target');
  if (hostPort !== undefined) return { kind: 'host', ...hostPort };
  if (/\._(tcp|udp)(\.|$)/i.test(text)) {
    // A malformed instance name is the user's typo: a usage error, not a NetServices one.
    try {
      return { kind: 'service', service: NetService.parse(text) };
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/ \([A-Za-z]+ -?\d+\)$/, ''));
    }
  }
  throw new UsageError(
    `target ${JSON.stringify(text)} is neither host:port, [v6]:port nor a service instance name (Name._type._tcp.local.)`,
  );
}

/** `host:port` or `[v6]:port`, or undefined when `text` has no port; throws UsageError for a bad port or a bare IPv6 address. */
export function parseHostPort(
  text: string,
  what: string,
): { host: string; port: number } | undefined {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: port(bracketed[2] as string, what) };
  const plain = /^([^:[\]]+):(\d+)$/.exec(text);
  if (plain) return { host: plain[1] as string, port: port(plain[2] as string, what) };
  if (/^[0-9a-f:]+:\d+$/i.test(text) && text.split(':').length > 2)
    throw new UsageError(
      `${what}: put an IPv6 address in brackets: [${text.replace(/:\d+$/, '')}]:port`,
    );
  return undefined;
}

const port = (text: string, what: string): number => parsePort(text, `${what} port`, 'connect');
