/**
 * The last responses heard from off-link sources (RFC 6762 §11): dropped,
 * never cached, but remembered by name so that a lookup that times out can
 * say "this name did answer, from an address on none of your links".
 */
import { nameKey } from '../dns/dns-name.js';
import type { DnsMessage } from '../dns/wire-types.js';

/** How many off-link responses are remembered; older ones are forgotten. */
const REMEMBERED = 32;

/** A bounded memory of off-link responses. */
export class OffLinkLog {
  readonly #entries: { readonly address: string; readonly names: Set<string> }[] = [];

  /** Notes a response from `address`, an off-link source. */
  note(message: DnsMessage, address: string): void {
    const names = new Set<string>();
    for (const record of [...message.answers, ...message.additionals])
      names.add(nameKey(record.name));
    if (names.size === 0) return;
    this.#entries.push({ address, names });
    if (this.#entries.length > REMEMBERED) this.#entries.shift();
  }

  /** The distinct addresses that answered for `name`, oldest first. */
  answeredFor(name: string): string[] {
    const key = nameKey(name);
    const out = new Set<string>();
    for (const entry of this.#entries) if (entry.names.has(key)) out.add(entry.address);
    return [...out];
  }
}
