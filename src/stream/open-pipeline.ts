/**
 * The steps of opening a pair, run once per pair by the first open():
 * resolve the target (host or service), connect to the first address that
 * answers (or to the SOCKS proxy and through it), then start TLS when the
 * pair's security level or SSL settings ask for it.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedAddress } from '../address.js';
import {
  kCFStreamPropertyProxyLocalBypass,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamPropertySSLSettings,
  kCFStreamSocketSecurityLevelNone,
  type SecurityLevel,
} from '../constants.js';
import { Host } from '../host/host.js';
import { lookupWithSystemResolver } from '../host/system-resolver.js';
import { bypassesProxy, negotiateSOCKS, type SOCKSProxySettings } from '../socks/index.js';
import { effectiveSecurityLevel, type SSLSettings, secureSocket } from '../tls/index.js';
import { connectToFirst } from './connect-race.js';
import {
  type ReresolvableService,
  reconnectToService,
  type TriedRoute,
} from './service-reconnect.js';

/** What a pair to a service needs of a NetService. */
export interface ConnectableService extends ReresolvableService {
  resolveForConnect(
    signal: AbortSignal,
    timeoutMs?: number,
  ): Promise<{ hostName: string; port: number; addresses: ResolvedAddress[] }>;
  /** The resolution known now without asking the network (a fresh cache), if any. */
  cachedResolution?(): { hostName: string; port: number; addresses: ResolvedAddress[] } | undefined;
  toString(): string;
}

/** A pair's destination given as a literal address: no Host is made for it (an idle pair's memory). */
export interface AddressTarget extends ResolvedAddress {
  readonly kind: 'address';
  readonly port: number;
}

/** Where a pair connects. */
export type PairTarget =
  | { readonly kind: 'host'; readonly host: Host; readonly port: number }
  | AddressTarget
  | { readonly kind: 'service'; readonly service: ConnectableService }
  | { readonly kind: 'socket'; readonly socket: Socket };

/** A finished connection: the TCP socket, and the stream the data flows through. */
export interface OpenedConnection {
  readonly socket: Socket;
  readonly stream: Duplex;
  /** The name or literal address the destination was reached by, for TLS peer-name checks; undefined over an accepted socket. */
  readonly hostName: string | undefined;
}

/** Tunables of the open, mostly for tests. */
export interface OpenOptions {
  readonly attemptDelayMs?: number;
  /** @internal A service's cached route failed to connect with `error`: open by resolving again. */
  readonly failed?: { readonly route: TriedRoute; readonly error: unknown };
}

/** The pair's properties that shape the open. */
export interface OpenProperties {
  property(key: string): unknown;
}

/** Where a plain open can connect at once. */
export interface DirectRoute {
  readonly addresses: readonly ResolvedAddress[];
  readonly port: number;
  readonly hostName: string | undefined;
}

/**
 * The route of an open with no step to wait for before connecting: the
 * addresses are known now (a literal or already resolved Host, a service the
 * mDNS cache resolves), and there is no proxy and no TLS. Undefined when the
 * whole pipeline must run. Same outcome as openConnection, fewer turns.
 */
export function directRoute(
  target: PairTarget,
  properties: OpenProperties,
): DirectRoute | undefined {
  if (requestedSecurityLevel(properties) !== kCFStreamSocketSecurityLevelNone) return undefined;
  let route: DirectRoute | undefined;
  if (target.kind === 'address') {
    route = { addresses: [target], port: target.port, hostName: target.address };
  } else if (target.kind === 'host') {
    const addresses = target.host.addresses;
    if (addresses !== undefined)
      route = { addresses, port: target.port, hostName: target.host.toString() };
  } else if (target.kind === 'service') {
    // The service's own copy (addresses, port, host name) serves as the route: no second object.
    route = target.service.cachedResolution?.();
  }
  if (route === undefined || route.addresses.length === 0) return undefined;
  if (proxyFor(route.hostName ?? '', properties) !== undefined) return undefined;
  return route;
}

/** Runs every step of the open; rejects with a StreamError, or the signal's reason when aborted. */
export async function openConnection(
  target: PairTarget,
  properties: OpenProperties,
  signal: AbortSignal,
  options: OpenOptions = {},
): Promise<OpenedConnection> {
  const connected = await connectTarget(target, properties, signal, options);
  const stream = await secureIfAsked(connected.socket, connected.hostName, properties, signal);
  return { ...connected, stream };
}

async function connectTarget(
  target: PairTarget,
  properties: OpenProperties,
  signal: AbortSignal,
  options: OpenOptions,
): Promise<{ socket: Socket; hostName: string | undefined }> {
  switch (target.kind) {
    case 'socket':
      return { socket: target.socket, hostName: undefined };
    case 'host':
    case 'address': {
      const name = target.kind === 'host' ? target.host.toString() : target.address;
      const proxy = proxyFor(name, properties);
      // Through SOCKS the proxy resolves names (SOCKS5, 4a) or we do (SOCKS4): no lookup here.
      const socket =
        proxy !== undefined
          ? await connectThroughProxy(proxy, name, target.port, signal, options)
          : await connectToFirst(
              target.kind === 'host' ? await target.host.resolveAddresses(signal) : [target],
              target.port,
              { signal, ...options },
            );
      // A literal address is the peer name too: TLS then checks the certificate's IP entries.
      return { socket, hostName: name };
    }
    case 'service': {
      const { failed } = options;
      if (failed !== undefined)
        return reconnectToService(target.service, failed.route, failed.error, signal, options);
      const resolved = await target.service.resolveForConnect(signal);
      const proxy = proxyFor(resolved.hostName, properties);
      // A proxy cannot resolve a .local name: send it the address mDNS found.
      const address = resolved.addresses[0]?.address;
      if (proxy !== undefined && address !== undefined) {
        const socket = await connectThroughProxy(proxy, address, resolved.port, signal, options);
        return { socket, hostName: resolved.hostName };
      }
      // TLS checks a service's certificate against its target host name (see docs/decisions.md).
      try {
        const socket = await connectToFirst(resolved.addresses, resolved.port, {
          signal,
          ...options,
        });
        return { socket, hostName: resolved.hostName };
      } catch (error) {
        // The service may have moved since it was resolved: ask again (service-reconnect.ts).
        if (signal.aborted) throw error;
        return reconnectToService(target.service, resolved, error, signal, options);
      }
    }
  }
}

/** The TLS level the pair's properties ask for. */
export function requestedSecurityLevel(properties: OpenProperties): SecurityLevel {
  return effectiveSecurityLevel(
    properties.property(kCFStreamPropertySocketSecurityLevel) as SecurityLevel | undefined,
    properties.property(kCFStreamPropertySSLSettings) as SSLSettings | undefined,
  );
}

/**
 * Starts TLS on `socket` when asked; the certificate is checked against the
 * destination's name (never the proxy's). Resolves with the stream to use.
 */
export async function secureIfAsked(
  socket: Socket,
  hostName: string | undefined,
  properties: OpenProperties,
  signal: AbortSignal,
): Promise<Duplex> {
  const level = requestedSecurityLevel(properties);
  if (level === kCFStreamSocketSecurityLevelNone) return socket;
  return secureSocket(socket, {
    level,
    settings: properties.property(kCFStreamPropertySSLSettings) as SSLSettings | undefined,
    defaultPeerName: hostName,
    signal,
  });
}

function proxyFor(destination: string, properties: OpenProperties): SOCKSProxySettings | undefined {
  const proxy = properties.property(kCFStreamPropertySOCKSProxy) as SOCKSProxySettings | undefined;
  if (proxy === undefined) return undefined;
  if (properties.property(kCFStreamPropertyProxyLocalBypass) === true && bypassesProxy(destination))
    return undefined;
  return proxy;
}

async function connectThroughProxy(
  proxy: SOCKSProxySettings,
  host: string,
  port: number,
  signal: AbortSignal,
  options: OpenOptions,
): Promise<Socket> {
  const proxyAddresses = await Host.withName(proxy.host).resolveAddresses(signal);
  const socket = await connectToFirst(proxyAddresses, proxy.port, { signal, ...options });
  try {
    const lookup = async (name: string): Promise<string[]> =>
      (await lookupWithSystemResolver(name, signal))
        .filter((a) => a.family === 4)
        .map((a) => a.address);
    await negotiateSOCKS(socket, proxy, { host, port }, { signal, lookup });
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}
