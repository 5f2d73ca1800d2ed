/**
 * Host: a name or an address to connect to, as CFHost. Creating one does no
 * I/O; `resolve$` (or the first open of a pair) looks the name up. Literal
 * addresses need no lookup. Concurrent resolutions of one Host share a lookup.
 */
import { promises as dns } from 'node:dns';
import type { Observable } from 'rxjs';
import { raceAbort, SharedLookup } from '../abort.js';
import { literalFamily, type ResolvedAddress } from '../address.js';
import { netdbError, toStreamError } from '../errors.js';
import { newObservable } from '../rx.js';
import { resolverFor } from './host-resolver.js';

const MAX_NAME_LENGTH = 253;

/** What to resolve, as CFHostInfoType. */
export type HostInfo = 'addresses' | 'names';

/**
 * A host name as Host.withName takes it: the literal address it spells, or
 * the trimmed name. Throws as withName does for what is neither. A pair to a
 * literal address keeps just the address (no Host, no lookup state).
 */
export function parseHostName(name: string): ResolvedAddress | string {
  if (typeof name !== 'string')
    throw new TypeError(`host name must be a string, got ${typeof name}`);
  const trimmed = name.trim();
  if (trimmed === '') throw new TypeError('host name must not be empty');
  if (trimmed.length > MAX_NAME_LENGTH + 1)
    throw new RangeError(`host name longer than ${MAX_NAME_LENGTH} characters`);
  return literalAddress(trimmed) ?? trimmed;
}

// A literal IPv4 or IPv6 address, bracketed or not, without its brackets.
function literalAddress(text: string): ResolvedAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = literalFamily(bare);
  return family === undefined ? undefined : { address: bare, family };
}

/** A host by name or address, resolved lazily. */
export class Host {
  readonly #name: string | undefined;
  #addresses: ResolvedAddress[] | undefined;
  #names: string[] | undefined;
  // Made on the first lookup: a literal address never needs one.
  #lookup: SharedLookup<ResolvedAddress[]> | undefined;

  private constructor(name: string | undefined, addresses: ResolvedAddress[] | undefined) {
    this.#name = name;
    this.#addresses = addresses;
  }

  /** A host known by name (or by a literal address given as text). */
  static withName(name: string): Host {
    const parsed = parseHostName(name);
    return typeof parsed === 'string' ? new Host(parsed, undefined) : new Host(undefined, [parsed]);
  }

  /** A host known by a literal IPv4 or IPv6 address (IPv6 may carry a %scope). */
  static withAddress(address: string): Host {
    if (typeof address !== 'string')
      throw new TypeError(`address must be a string, got ${typeof address}`);
    const literal = literalAddress(address);
    if (literal === undefined)
      throw new TypeError(`not an IPv4 or IPv6 address: ${JSON.stringify(address)}`);
    return new Host(undefined, [literal]);
  }

  /** The name this host was created with, or undefined for an address. */
  get name(): string | undefined {
    return this.#name;
  }

  /** The resolved addresses, or undefined before resolution (CFHostGetAddressing). */
  get addresses(): readonly ResolvedAddress[] | undefined {
    return this.#addresses;
  }

  /** The names found by a `names` resolution (CFHostGetNames); a named host knows its own name. */
  get names(): readonly string[] | undefined {
    return this.#names ?? (this.#name === undefined ? undefined : [this.#name]);
  }

  /** Text for messages: the name, or the first address. */
  toString(): string {
    return this.#name ?? this.#addresses?.[0]?.address ?? '';
  }

  /** Resolves the addresses (or, for 'names', reverse-resolves) and emits them once. */
  resolve$(info: 'addresses'): Observable<readonly ResolvedAddress[]>;
  resolve$(info: 'names'): Observable<readonly string[]>;
  resolve$(): Observable<readonly ResolvedAddress[]>;
  resolve$(
    info: HostInfo = 'addresses',
  ): Observable<readonly ResolvedAddress[] | readonly string[]> {
    return newObservable<readonly ResolvedAddress[] | readonly string[]>((subscriber) => {
      const abort = new AbortController();
      const work =
        info === 'names' ? this.#resolveNames(abort.signal) : this.resolveAddresses(abort.signal);
      work.then(
        (value) => {
          subscriber.next(value);
          subscriber.complete();
        },
        (error: unknown) => {
          if (!abort.signal.aborted) subscriber.error(toStreamError(error));
        },
      );
      return () => abort.abort();
    });
  }

  /**
   * The addresses, looked up once: every concurrent caller shares one lookup,
   * which is abandoned only when every caller has aborted.
   */
  resolveAddresses(signal: AbortSignal): Promise<ResolvedAddress[]> {
    if (this.#addresses !== undefined) return Promise.resolve([...this.#addresses]);
    const name = this.#name as string;
    this.#lookup ??= new SharedLookup<ResolvedAddress[]>();
    return this.#lookup
      .join(signal, (lookupSignal) =>
        resolverFor(name)(name, lookupSignal.signal).then((addresses) => {
          if (addresses.length === 0) {
            throw netdbError(Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' }), name);
          }
          this.#addresses = addresses;
          return addresses;
        }),
      )
      .then((addresses) => [...addresses]);
  }

  async #resolveNames(signal: AbortSignal): Promise<string[]> {
    const addresses = await this.resolveAddresses(signal);
    const names = new Set<string>();
    for (const { address } of addresses) {
      try {
        // getnameinfo, like getaddrinfo for names: the system's own sources (hosts file, DNS).
        const { hostname } = await raceAbort(dns.lookupService(address, 0), signal);
        if (hostname !== address) names.add(hostname);
      } catch (error) {
        if (signal.aborted) throw error;
      }
    }
    if (names.size === 0) {
      throw netdbError(
        Object.assign(new Error('no names'), { code: 'ENOTFOUND' }),
        this.toString(),
      );
    }
    this.#names = [...names];
    return this.#names;
  }
}
