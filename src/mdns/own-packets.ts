/**
 * Our own packets, told from everyone else's. Multicast loops back to the
 * sender, so the engine hears every query and response it sends; those are
 * not "heard" (a silent link must show as silent, diagnosis.ts) and our own
 * queries do not count for duplicate suppression (§7.3). A packet is ours
 * when it comes from one of our addresses and is a copy of one we sent in
 * the last two seconds (another host asking the same question sends the
 * same bytes, from its own address).
 *
 * Sent packets are kept by fingerprint (packet-fingerprint.ts), not as
 * text: a busy responder sends thousands a second. Cost: a packet from our
 * own address whose fingerprint equals one of the at most 1,024 kept (about
 * one chance in 2^42) would count as ours and not as heard.
 */
import type { Clock } from '../clock.js';
import { MDNS_PORT } from '../dns/wire-types.js';
import type { MdnsInterface } from './interfaces.js';
import { fingerprint } from './packet-fingerprint.js';

/**
 * Sent packets are remembered this long to recognize them when multicast
 * loops them back (within milliseconds), and at most this many: one round of
 * queries for thousands of questions is hundreds of packets (§17).
 */
const RECENT_MS = 2000;
const RECENT_PACKETS = 1024;
/** Ports of our one-shot sockets seen lately (one at a time, renewed after 3 s idle). */
const OWN_PORTS = 16;

/** What we sent lately, and which addresses are ours. */
export class OwnPackets {
  readonly #clock: Clock;
  readonly #interfaces: () => readonly MdnsInterface[];
  // Fingerprints of sent packets and when each was last sent (and its length), oldest first.
  readonly #recent = new Map<number, { readonly at: number; readonly length: number }>();
  // How many of #recent have each length: most packets heard (queries, under load) match none,
  // and are told apart by their length without a fingerprint.
  readonly #lengths = new Map<number, number>();
  // Our addresses, for the interface list they were read from (the same array until a change).
  #addresses: { readonly of: readonly MdnsInterface[]; readonly set: Set<string> } | undefined;
  // Ports other than 5353 that our own packets came from: our one-shot sockets' (§5.1).
  readonly #ports = new Set<number>();

  constructor(clock: Clock, interfaces: () => readonly MdnsInterface[]) {
    this.#clock = clock;
    this.#interfaces = interfaces;
  }

  /** Notes a multicast packet about to be sent: it always loops back to us. */
  sent(bytes: Buffer): void {
    this.#keep(bytes);
  }

  /**
   * Notes a unicast packet about to be sent to `address` and `port`. It comes
   * back to us only when sent to one of our own addresses, on port 5353 or
   * the port of one of our one-shot sockets (a legacy reply to our own
   * one-shot query, §6.7); others (almost every unicast reply, and those to
   * another program on this host) are not kept.
   */
  sentTo(bytes: Buffer, address: string, port: number): void {
    if (this.#reachesUs(address, port)) this.#keep(bytes);
  }

  #keep(bytes: Buffer): void {
    const now = this.#clock.now();
    const key = fingerprint(bytes);
    this.#forget(key);
    this.#recent.set(key, { at: now, length: bytes.length });
    this.#lengths.set(bytes.length, (this.#lengths.get(bytes.length) ?? 0) + 1);
    for (const [old, { at }] of this.#recent) {
      if (now - at <= RECENT_MS && this.#recent.size <= RECENT_PACKETS) break;
      this.#forget(old);
    }
  }

  #forget(key: number): void {
    const kept = this.#recent.get(key);
    if (kept === undefined) return;
    this.#recent.delete(key);
    const left = (this.#lengths.get(kept.length) ?? 1) - 1;
    if (left > 0) this.#lengths.set(kept.length, left);
    else this.#lengths.delete(kept.length);
  }

  /**
   * True for a copy of a packet we sent, from one of our addresses: our own,
   * looped back. The port it came from is then one of ours: a reply to it
   * (sent() next) would come back to us too.
   */
  loopedBack(bytes: Buffer, from: string, port: number): boolean {
    if (!this.#lengths.has(bytes.length)) return false;
    if (!this.isOwnAddress(from) || !this.#recent.has(fingerprint(bytes))) return false;
    if (port !== MDNS_PORT && !this.#ports.has(port)) {
      if (this.#ports.size >= OWN_PORTS) this.#ports.clear();
      this.#ports.add(port);
    }
    return true;
  }

  #reachesUs(address: string, port: number): boolean {
    return (port === MDNS_PORT || this.#ports.has(port)) && this.isOwnAddress(address);
  }

  /** True when `address` (a %scope left out) is one of our interfaces' addresses. */
  isOwnAddress(address: string): boolean {
    const interfaces = this.#interfaces();
    let own = this.#addresses;
    if (own?.of !== interfaces) {
      own = {
        of: interfaces,
        set: new Set(interfaces.flatMap((i) => i.addresses.map((a) => a.address))),
      };
      this.#addresses = own;
    }
    const scope = address.indexOf('%');
    return own.set.has(scope < 0 ? address : address.slice(0, scope));
  }
}
