/**
 * UDP sockets for mDNS. Per family one socket bound to the wildcard address
 * on port 5353 that joins the group on every chosen interface (bound to a
 * unicast address a socket hears no multicast: docs/field-notes.md);
 * sending picks the interface with IP_MULTICAST_IF first. A second, ephemeral
 * socket sends one-shot queries (RFC 6762 §5.1) whose unicast answers come
 * back to it alone, even when other processes share port 5353.
 */
import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { debuglog } from 'node:util';
import { literalFamily } from '../address.js';
import { MDNS_IPV4, MDNS_IPV6, MDNS_PORT } from '../dns/wire-types.js';
import { posixError } from '../errors.js';
import { listMulticastInterfaces, type MdnsInterface, OriginMemo } from './interfaces.js';
import { scopeId } from './platform.js';

const log = debuglog('cfstream:mdns');
const ONE_SHOT_IDLE_MS = 3000;

/**
 * Every address this transport binds or sends to is a literal, so dgram's
 * default lookup (dns.lookup) has nothing to do -- but loading it sets up
 * c-ares, which reads resolv.conf and nsswitch.conf and costs 5-10 ms on the
 * first bind of a process. This lookup answers literals at once.
 */
const literalLookup: NonNullable<SocketOptions['lookup']> = (address, _options, callback) => {
  // dgram asks at every send; literalFamily remembers the last few hundred texts it told apart.
  const family = literalFamily(address);
  if (family === undefined) {
    const error = Object.assign(new Error(`not an IP literal: ${address}`), { code: 'EINVAL' });
    process.nextTick(() => callback(error, '', 0));
    return;
  }
  callback(null, address, family);
};

/** A key that changes when an interface, or an address of one, comes or goes. */
function interfacesKey(list: readonly MdnsInterface[]): string {
  return list
    .map(
      (i) =>
        `${i.name}=${i.addresses
          .map((a) => a.address)
          .sort()
          .join(',')}`,
    )
    .sort()
    .join(' ');
}

/** Linux carries no IPv6 multicast on loopback (docs/field-notes.md): ::1 alone gets no IPv6 socket. */
const isLoopbackIPv6 = (address: string): boolean => address === '::1';

/** A UDP socket of one family that never calls the DNS resolver. */
function udpSocket(family: 4 | 6, reuseAddr: boolean): Socket {
  return createSocket({
    type: family === 4 ? 'udp4' : 'udp6',
    reuseAddr,
    ipv6Only: family === 6,
    lookup: literalLookup,
  });
}

/** Where a datagram came from. */
export interface PacketSource {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /**
   * The interface whose subnet holds the source (RFC 6762 §11). The real
   * transport drops off-link packets; the engine drops any left undefined.
   */
  readonly interfaceName: string | undefined;
  /** True when it arrived at the one-shot (ephemeral-port) socket. */
  readonly viaOneShot: boolean;
}

/** Receives raw datagrams. */
export type PacketHandler = (bytes: Buffer, source: PacketSource) => void;

/** What the engine needs of the network; a fake stands in for it in conformance tests. */
export interface PacketTransport {
  start(handler: PacketHandler): Promise<void>;
  interfaces(): readonly MdnsInterface[];
  /** Reads the interfaces again and follows any change (groups joined and left); true if they changed. */
  refreshInterfaces(): boolean;
  /**
   * Multicasts on one interface, or on all when none is named. `onError` is
   * called once if the datagram left on no family of any such interface.
   */
  sendMulticast(bytes: Buffer, interfaceName?: string, onError?: (error: Error) => void): void;
  /** Sends to one address and port from port 5353. */
  sendUnicast(bytes: Buffer, address: string, port: number): void;
  /** Multicasts from an ephemeral port on every interface (a one-shot query, RFC 6762 §5.1). */
  sendOneShot(bytes: Buffer): void;
  /** Sockets keep the process alive only while something waits. */
  setActive(active: boolean): void;
  close(): void;
}

interface FamilySocket {
  readonly family: 4 | 6;
  readonly socket: Socket;
  bound: boolean;
}

/** The real transport over node:dgram. */
export class UdpTransport implements PacketTransport {
  readonly #filter: string | undefined;
  #interfaces: MdnsInterface[] = [];
  #main: FamilySocket[] = [];
  // Families whose port-5353 socket exists or is being opened.
  readonly #families = new Set<4 | 6>();
  #oneShot = new Map<
    4 | 6,
    { socket: Socket; ready: Promise<void>; idle: NodeJS.Timeout | undefined }
  >();
  #handler: PacketHandler = () => {};
  readonly #origins = new OriginMemo();
  // Why port 5353 could not be bound, told to senders that then have no socket.
  #bindError: Error | undefined;
  #active = false;
  #closed = false;

  constructor(filter: string | undefined) {
    this.#filter = filter;
  }

  interfaces(): readonly MdnsInterface[] {
    return this.#interfaces;
  }

  async start(handler: PacketHandler): Promise<void> {
    this.#handler = handler;
    this.#interfaces = listMulticastInterfaces(this.#filter);
    log(
      'interfaces: %o',
      this.#interfaces.map((i) => i.name),
    );
    const families = ([4, 6] as const).filter((f) =>
      this.#interfaces.some((i) => this.#membershipAddress(i, f) !== undefined),
    );
    if (families.length === 0) {
      // Nothing could ever be sent or heard: say so now rather than let every lookup time out.
      const which = this.#filter === undefined ? '' : ` matching "${this.#filter}"`;
      throw posixError('ENODEV', `no up multicast interface${which} for mDNS`);
    }
    // The one-shot sockets bind beside the main ones, so the first query does not wait for them.
    for (const f of families) this.#oneShotSocket(f);
    await Promise.all(families.map((f) => this.#openMain(f)));
  }

  refreshInterfaces(): boolean {
    if (this.#closed) return false;
    const next = listMulticastInterfaces(this.#filter);
    const before = this.#interfaces;
    if (interfacesKey(next) === interfacesKey(before)) return false;
    log(
      'interfaces now: %o',
      next.map((i) => i.name),
    );
    this.#interfaces = next;
    for (const entry of this.#main) {
      if (!entry.bound) continue;
      const was = this.#memberships(before, entry.family);
      const now = this.#memberships(next, entry.family);
      for (const [key, membership] of was)
        if (!now.has(key)) this.#membership(entry, membership, 'drop');
      for (const [key, membership] of now)
        if (!was.has(key)) this.#membership(entry, membership, 'add');
    }
    // A family no interface had before (the first IPv6 link, say) gets its socket now.
    for (const family of [4, 6] as const) {
      if (this.#families.has(family)) continue;
      if (next.some((i) => this.#membershipAddress(i, family) !== undefined)) {
        this.#oneShotSocket(family);
        void this.#openMain(family);
      }
    }
    return true;
  }

  /** Group memberships for one family over `list`, by interface and address. */
  #memberships(
    list: readonly MdnsInterface[],
    family: 4 | 6,
  ): Map<string, { group: string; via: string; name: string }> {
    const out = new Map<string, { group: string; via: string; name: string }>();
    for (const iface of list) {
      const via = this.#membershipAddress(iface, family);
      if (via === undefined) continue;
      out.set(`${iface.name}|${via}`, {
        group: family === 4 ? MDNS_IPV4 : MDNS_IPV6,
        via,
        name: iface.name,
      });
    }
    return out;
  }

  #membership(
    entry: FamilySocket,
    { group, via, name }: { group: string; via: string; name: string },
    action: 'add' | 'drop',
  ): void {
    try {
      if (action === 'add') entry.socket.addMembership(group, via);
      else entry.socket.dropMembership(group, via);
    } catch (error) {
      // Leaving fails when the interface is already gone, which is what we wanted anyway.
      log('%s %s on %s: %s', action, group, name, (error as Error).message);
    }
  }

  async #openMain(family: 4 | 6): Promise<void> {
    this.#families.add(family);
    const socket = udpSocket(family, true);
    const entry: FamilySocket = { family, socket, bound: false };
    socket.on('message', (bytes, rinfo) =>
      this.#receive(bytes, rinfo.address, rinfo.port, family, false),
    );
    socket.on('error', (error) => log('udp%d socket error: %s', family, error.message));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(
          { port: MDNS_PORT, address: family === 4 ? '0.0.0.0' : '::', exclusive: false },
          () => {
            socket.off('error', reject);
            resolve();
          },
        );
      });
    } catch (error) {
      // Without port 5353 the engine can still query through one-shot sockets.
      log('cannot bind udp%d port %d: %s', family, MDNS_PORT, (error as Error).message);
      this.#bindError = error as Error;
      socket.close();
      return;
    }
    if (this.#closed) {
      socket.close();
      return;
    }
    entry.bound = true;
    try {
      socket.setMulticastTTL(255);
      socket.setMulticastLoopback(true);
    } catch (error) {
      log('udp%d multicast options: %s', family, (error as Error).message);
    }
    for (const membership of this.#memberships(this.#interfaces, family).values())
      this.#membership(entry, membership, 'add');
    if (!this.#active) socket.unref();
    this.#main.push(entry);
  }

  #membershipAddress(iface: MdnsInterface, family: 4 | 6): string | undefined {
    const address = iface.addresses.find((a) => a.family === family && !isLoopbackIPv6(a.address));
    if (address === undefined) return undefined;
    return family === 4 ? address.address : `::%${scopeId(iface)}`;
  }

  // Any size the socket delivers is read (up to 65,535 bytes, RFC 6762 §17: 9000 is the
  // send limit). RFC 6762 §11: only on-link sources count; the check runs before decoding,
  // so a spoofed or routed packet costs one subnet test and is neither answered nor cached.
  #receive(bytes: Buffer, address: string, port: number, family: 4 | 6, viaOneShot: boolean): void {
    const origin = this.#origins.lookup(this.#interfaces, address);
    if (origin === undefined) {
      log('dropping datagram from off-link %s', address);
      return;
    }
    this.#handler(bytes, {
      address: origin.address,
      port,
      family,
      interfaceName: origin.interfaceName,
      viaOneShot,
    });
  }

  sendMulticast(bytes: Buffer, interfaceName?: string, onError?: (error: Error) => void): void {
    const copies: { socket: Socket; group: string; via: string }[] = [];
    for (const { family, socket, bound } of this.#main) {
      if (!bound) continue;
      for (const iface of this.#interfaces) {
        if (interfaceName !== undefined && iface.name !== interfaceName) continue;
        const via = this.#membershipAddress(iface, family);
        if (via === undefined) continue;
        copies.push({ socket, group: family === 4 ? MDNS_IPV4 : MDNS_IPV6, via });
      }
    }
    if (copies.length === 0) {
      const where = interfaceName ?? 'any interface';
      onError?.(this.#bindError ?? posixError('ENODEV', `no mDNS socket can send on ${where}`));
      return;
    }
    // onError hears of a failure only when every copy failed.
    let pending = copies.length;
    let sent = false;
    const settle = (error: Error | undefined): void => {
      pending -= 1;
      sent ||= error === undefined;
      if (pending === 0 && !sent && error !== undefined) onError?.(error);
    };
    for (const { socket, group, via } of copies) this.#sendVia(socket, bytes, group, via, settle);
  }

  #sendVia(
    socket: Socket,
    bytes: Buffer,
    group: string,
    via: string,
    done: (error: Error | undefined) => void = () => {},
  ): void {
    try {
      socket.setMulticastInterface(via);
      socket.send(bytes, MDNS_PORT, group, (error) => {
        if (error) log('send to %s via %s: %s', group, via, error.message);
        done(error ?? undefined);
      });
    } catch (error) {
      log('send to %s via %s: %s', group, via, (error as Error).message);
      done(error as Error);
    }
  }

  sendUnicast(bytes: Buffer, address: string, port: number): void {
    const family = address.includes(':') ? 6 : 4;
    for (const entry of this.#main) {
      if (entry.family !== family || !entry.bound) continue;
      // A failed unicast reply is only logged, so without the log no callback is asked for:
      // with one, dgram defers it to the next tick on every send, even a successful one.
      if (log.enabled)
        entry.socket.send(bytes, port, address, (error) => {
          if (error) log('unicast to %s:%d: %s', address, port, error.message);
        });
      else entry.socket.send(bytes, port, address);
      return;
    }
  }

  sendOneShot(bytes: Buffer): void {
    for (const family of [4, 6] as const) {
      const vias = this.#interfaces
        .map((i) => this.#membershipAddress(i, family))
        .filter((v) => v !== undefined);
      if (vias.length === 0) continue;
      const shot = this.#oneShotSocket(family);
      shot.ready.then(
        () => {
          for (const via of vias)
            this.#sendVia(shot.socket, bytes, family === 4 ? MDNS_IPV4 : MDNS_IPV6, via);
        },
        () => {},
      );
    }
  }

  #oneShotSocket(family: 4 | 6): {
    socket: Socket;
    ready: Promise<void>;
    idle: NodeJS.Timeout | undefined;
  } {
    let shot = this.#oneShot.get(family);
    if (shot === undefined) {
      const socket = udpSocket(family, false);
      socket.on('message', (bytes, rinfo) =>
        this.#receive(bytes, rinfo.address, rinfo.port, family, true),
      );
      socket.on('error', (error) => log('one-shot udp%d: %s', family, error.message));
      const ready = new Promise<void>((resolve) => {
        socket.bind({ port: 0, address: family === 4 ? '0.0.0.0' : '::' }, () => {
          try {
            socket.setMulticastTTL(255);
          } catch {
            // Some kernels refuse it on loopback; the default TTL still reaches the link.
          }
          resolve();
        });
      });
      shot = { socket, ready, idle: undefined };
      this.#oneShot.set(family, shot);
    }
    // The one-shot socket lives a few seconds after its last query, to hear late answers.
    if (shot.idle) clearTimeout(shot.idle);
    const current = shot;
    shot.idle = setTimeout(() => {
      this.#oneShot.delete(family);
      current.socket.close();
    }, ONE_SHOT_IDLE_MS);
    shot.idle.unref();
    if (!this.#active) current.socket.unref();
    return shot;
  }

  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    const sockets = [
      ...this.#main.map((m) => m.socket),
      ...[...this.#oneShot.values()].map((s) => s.socket),
    ];
    for (const socket of sockets) {
      if (active) socket.ref();
      else socket.unref();
    }
  }

  close(): void {
    this.#closed = true;
    for (const { socket } of this.#main) socket.close();
    this.#main = [];
    for (const shot of this.#oneShot.values()) {
      if (shot.idle) clearTimeout(shot.idle);
      shot.socket.close();
    }
    this.#oneShot.clear();
  }
}
