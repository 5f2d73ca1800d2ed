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
import type { MdnsInterface } from './interfaces.js';
import { fingerprint } from './packet-fingerprint.js';

/**
 * Sent packets are remembered this long to recognize them when multicast
 * loops them back (within milliseconds), and at most this many: one round of
 * queries for thousands of questions is hundreds of packets (§17).
 */
const RECENT_MS = 2000;
const RECENT_PACKETS = 1024;

/** What we sent lately, and which addresses are ours. */
export class OwnPackets {
  readonly #clock: Clock;
  readonly #interfaces: () => readonly MdnsInterface[];
  // Fingerprints of sent packets and when each was last sent, oldest first.
  readonly #recent = new Map<number, number>();
  // Our addresses, for the interface list they were read from (the same array until a change).
  #addresses: { readonly of: readonly MdnsInterface[]; readonly set: Set<string> } | undefined;

  constructor(clock: Clock, interfaces: () => readonly MdnsInterface[]) {
    this.#clock = clock;
    this.#interfaces = interfaces;
  }

  /**
   * Notes a packet about to be sent to `unicastTo` (undefined: multicast).
   * A unicast packet comes back to us only when sent to one of our own
   * addresses; others (almost every unicast reply) are not kept.
   */
  sent(bytes: Buffer, unicastTo?: string): void {
    if (unicastTo !== undefined && !this.isOwnAddress(unicastTo)) return;
    const now = this.#clock.now();
    const key = fingerprint(bytes);
    this.#recent.delete(key);
    this.#recent.set(key, now);
    for (const [old, at] of this.#recent) {
      if (now - at <= RECENT_MS && this.#recent.size <= RECENT_PACKETS) break;
      this.#recent.delete(old);
    }
  }

  /** True for a copy of a packet we sent, from one of our addresses: our own, looped back. */
  loopedBack(bytes: Buffer, from: string): boolean {
    return this.isOwnAddress(from) && this.#recent.has(fingerprint(bytes));
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
