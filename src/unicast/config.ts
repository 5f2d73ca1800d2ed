/**
 * Where unicast DNS-SD asks and with which keys: the servers (default: the
 * system's resolvers, node:dns getServers), the TSIG key of each zone
 * (RFC 8945), and the timings of polling. Set by configureUnicastDNS, or by
 * the environment (CFSTREAM_DNS_SERVERS, CFSTREAM_TSIG) on first use. A
 * secret is kept as bytes and never printed: errors name the zone and key.
 */
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import { type Clock, realClock } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { DNS_PORT } from '../dns/wire-extra.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import type { ServerAddress } from './exchange-core.js';

/** The HMAC algorithms of RFC 8945 §6 we sign with, by their DNS names. */
export const TsigAlgorithm = {
  'hmac-sha256': { dnsName: 'hmac-sha256', hash: 'sha256' },
  'hmac-sha1': { dnsName: 'hmac-sha1', hash: 'sha1' },
  'hmac-sha384': { dnsName: 'hmac-sha384', hash: 'sha384' },
  'hmac-sha512': { dnsName: 'hmac-sha512', hash: 'sha512' },
} as const;

/** An algorithm's short name. */
export type TsigAlgorithmName = keyof typeof TsigAlgorithm;

/** A TSIG key as the user gives it: the secret in base64. */
export interface TsigKeyInput {
  readonly name: string;
  readonly algorithm: TsigAlgorithmName;
  readonly secret: string;
}

/** A checked key; the secret as bytes. */
export interface TsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithmName;
  readonly secret: Buffer;
}

/** Timings of unicast DNS-SD, in milliseconds; tests shorten them. */
export interface UnicastTimings {
  /** One try of one server. */
  readonly queryTimeoutMs: number;
  /** A resolve that names no timeout gives up after this long. */
  readonly resolveTimeoutMs: number;
  /** Browsing re-asks for PTR records no sooner than this... */
  readonly minRequeryMs: number;
  /** ...and no later than this, even when their TTL is longer. */
  readonly maxRequeryMs: number;
  /** Between full queries, browsing asks for the zone's SOA serial this often. */
  readonly serialPollMs: number;
}

/** What configureUnicastDNS takes. */
export interface UnicastDNSOptions {
  /** 'host' or 'host:port' ('[v6]:port'); default the system's resolvers. */
  readonly servers?: readonly string[];
  /** The TSIG key of each zone, by zone name ("example.test."). */
  readonly keys?: Readonly<Record<string, TsigKeyInput>>;
  readonly timings?: Partial<UnicastTimings>;
  /** The domains under which browse domains are looked for (RFC 6763 §11); default the system's search domains and local subnets. */
  readonly searchDomains?: readonly string[];
  /** For tests: the clock that paces browsing. */
  readonly clock?: Clock;
  /** For tests: the wall clock (ms since 1970) that TSIG signs with; default Date.now. */
  readonly wallClock?: () => number;
}

/** The settings in force. */
export interface UnicastConfig {
  readonly servers: readonly ServerAddress[];
  readonly keys: ReadonlyMap<string, TsigKey>;
  readonly timings: UnicastTimings;
  readonly searchDomains: readonly string[] | undefined;
  readonly clock: Clock;
  readonly wallClock: () => number;
}

const DEFAULT_TIMINGS: UnicastTimings = {
  queryTimeoutMs: 2000,
  resolveTimeoutMs: 5000,
  minRequeryMs: 1000,
  maxRequeryMs: 3_600_000,
  serialPollMs: 10_000,
};

function badArgument(message: string): StreamError {
  return new StreamError(ErrorDomain.NetServices, NetServicesError.BadArgument, message);
}

/** Parses 'host', 'host:port', '[v6]' or '[v6]:port'; a bare IPv6 address has no port. */
export function parseServer(text: string): ServerAddress {
  const trimmed = text.trim();
  let host = trimmed;
  let port = DNS_PORT;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracket) {
    host = bracket[1] as string;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (isIP(trimmed) !== 6) {
    const colon = trimmed.lastIndexOf(':');
    if (colon >= 0) {
      host = trimmed.slice(0, colon);
      port = /^\d+$/.test(trimmed.slice(colon + 1)) ? Number(trimmed.slice(colon + 1)) : Number.NaN;
    }
  }
  if (isIP(host) === 0) throw badArgument(`DNS server ${JSON.stringify(text)}: not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw badArgument(`DNS server ${JSON.stringify(text)}: bad port`);
  return { host, port };
}

/** Checks a key; the messages name the key, never the secret. */
export function checkKey(zone: string, input: TsigKeyInput): TsigKey {
  if (!Object.hasOwn(TsigAlgorithm, input.algorithm))
    throw badArgument(
      `TSIG key ${JSON.stringify(input.name)} of zone ${zone}: algorithm ${JSON.stringify(input.algorithm)} is not one of ${Object.keys(TsigAlgorithm).join(', ')}`,
    );
  const secret = Buffer.from(input.secret, 'base64');
  if (secret.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(input.secret))
    throw badArgument(
      `TSIG key ${JSON.stringify(input.name)} of zone ${zone}: the secret is not base64`,
    );
  if (input.name.length === 0) throw badArgument(`TSIG key of zone ${zone} has no name`);
  return { name: input.name.replace(/\.$/, ''), algorithm: input.algorithm, secret };
}

/** Parses `zone:algorithm:name:secret` (the CLI's --tsig and CFSTREAM_TSIG). */
export function parseTsigSpec(text: string): { zone: string; key: TsigKeyInput } {
  const parts = text.split(':');
  if (parts.length !== 4 || parts.some((p) => p.length === 0))
    throw badArgument('a TSIG key is zone:algorithm:name:secret');
  const [zone, algorithm, name, secret] = parts as [string, string, string, string];
  return { zone, key: { name, algorithm: algorithm as TsigAlgorithmName, secret } };
}

let current: UnicastConfig | undefined;

/**
 * Sets the servers, keys and timings of unicast DNS-SD (every domain other
 * than `local.`). What is left out comes from the environment
 * (CFSTREAM_DNS_SERVERS, CFSTREAM_TSIG), then the system's resolvers.
 */
export function configureUnicastDNS(options: UnicastDNSOptions = {}): void {
  const env = fromEnvironment();
  const servers = (options.servers ?? env.servers ?? getServers()).map(parseServer);
  const keys = new Map<string, TsigKey>();
  for (const [zone, key] of Object.entries({ ...env.keys, ...options.keys }))
    keys.set(nameKey(zone), checkKey(zone, key));
  for (const [name, value] of Object.entries(options.timings ?? {}))
    if (typeof value !== 'number' || !(value > 0))
      throw badArgument(`timing ${name} must be a positive number`);
  current = {
    servers,
    keys,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    searchDomains: options.searchDomains,
    clock: options.clock ?? realClock,
    wallClock: options.wallClock ?? Date.now,
  };
}

function fromEnvironment(): UnicastDNSOptions {
  const env = process.env;
  const servers = env.CFSTREAM_DNS_SERVERS?.split(',').filter((s) => s.trim().length > 0);
  const keys: Record<string, TsigKeyInput> = {};
  for (const spec of (env.CFSTREAM_TSIG ?? '').split(',').filter((s) => s.length > 0)) {
    const { zone, key } = parseTsigSpec(spec);
    keys[zone] = key;
  }
  return { ...(servers && servers.length > 0 ? { servers } : {}), keys };
}

/** The settings in force: configured, or read from the environment on first use. */
export function unicastConfig(): UnicastConfig {
  if (current === undefined) configureUnicastDNS();
  return current as UnicastConfig;
}

/** Forgets the settings (the next use reads the environment again); for tests. */
export function resetUnicastDNS(): void {
  current = undefined;
}

/** The key for a zone, or for its nearest enclosing zone that has one. */
export function keyForZone(config: UnicastConfig, zone: string): TsigKey | undefined {
  let key = nameKey(zone);
  for (;;) {
    const found = config.keys.get(key);
    if (found) return found;
    const dot = key.indexOf('.');
    if (dot < 0) return undefined;
    key = key.slice(dot + 1);
  }
}
