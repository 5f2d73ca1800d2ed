/**
 * The steps of opening a pair, run once per pair by the first open():
 * resolve the target (host or service), connect to the first address that
 * answers. Each later capability (SOCKS, TLS) is one more step here.
 */

import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedAddress } from '../host/address.js';
import type { Host } from '../host/host.js';
import { connectToFirst } from './connect-race.js';

/** What a pair to a service needs of a NetService. */
export interface ConnectableService {
  resolveForConnect(
    signal: AbortSignal,
    timeoutMs?: number,
  ): Promise<{ hostName: string; port: number; addresses: ResolvedAddress[] }>;
  toString(): string;
}

/** Where a pair connects. */
export type PairTarget =
  | { readonly kind: 'host'; readonly host: Host; readonly port: number }
  | { readonly kind: 'service'; readonly service: ConnectableService }
  | { readonly kind: 'socket'; readonly socket: Socket };

/** A finished connection: the TCP socket, and the stream the data flows through. */
export interface OpenedConnection {
  readonly socket: Socket;
  readonly stream: Duplex;
  /** The host name the destination was reached by, for TLS peer-name checks. */
  readonly hostName: string | undefined;
}

/** Tunables of the open, mostly for tests. */
export interface OpenOptions {
  readonly attemptDelayMs?: number;
}

/** Runs every step of the open; rejects with a StreamError, or the signal's reason when aborted. */
export async function openConnection(
  target: PairTarget,
  signal: AbortSignal,
  options: OpenOptions = {},
): Promise<OpenedConnection> {
  switch (target.kind) {
    case 'socket':
      return { socket: target.socket, stream: target.socket, hostName: undefined };
    case 'host': {
      const addresses = await target.host.resolveAddresses(signal);
      const socket = await connectToFirst(addresses, target.port, { signal, ...options });
      return { socket, stream: socket, hostName: target.host.name };
    }
    case 'service': {
      const resolved = await target.service.resolveForConnect(signal);
      const socket = await connectToFirst(resolved.addresses, resolved.port, {
        signal,
        ...options,
      });
      return { socket, stream: socket, hostName: resolved.hostName };
    }
  }
}
