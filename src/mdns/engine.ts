/**
 * The mDNS engine: one per process (`getMdnsEngine()`), shared by every Host,
 * NetService and browser. It owns the transport, the record cache, the
 * querier and (when something is published) the responder, and routes each
 * received packet: responses feed the cache and the responder's conflict
 * checks, queries go to the responder.
 */

import { debuglog } from 'node:util';
import type { Clock, Timer } from '../clock.js';
import { decodePacket, encodePacket } from '../dns/packet-codec.js';
import { type DnsMessage, isResponse, MDNS_PORT } from '../dns/wire-types.js';
import { posixError, type StreamError, toStreamError } from '../errors.js';
import {
  type MdnsEngineOptions,
  type ResolvedEngineOptions,
  resolveEngineOptions,
} from './engine-options.js';
import type { MdnsInterface } from './interfaces.js';
import { OffLinkLog } from './off-link-log.js';
import { OwnPackets } from './own-packets.js';
import { BLOCKED_SEND_CODES, blockedSendHint, scopeId } from './platform.js';
import { Querier } from './querier.js';
import { QueryMemo } from './query-memo.js';
import { Reconfirmer } from './reconfirm.js';
import { RecordCache } from './record-cache.js';
import { type PacketSource, type PacketTransport, UdpTransport } from './transport.js';

const log = debuglog('cfstream:mdns');
/** Something that wants every decoded packet (the responder). */
export type MessageListener = (message: DnsMessage, source: PacketSource) => void;

/** Where an outgoing message goes. */
export type Destination =
  | { readonly kind: 'multicast'; readonly interfaceName?: string | undefined }
  | { readonly kind: 'unicast'; readonly address: string; readonly port: number }
  | { readonly kind: 'one-shot' };

/** The process's mDNS engine. */
export class MdnsEngine {
  readonly options: ResolvedEngineOptions;
  readonly cache: RecordCache;
  readonly querier: Querier;
  /** Records in dispute (RFC 6762 §10.4). */
  readonly reconfirmer: Reconfirmer;
  /** Responses from off-link sources, remembered by name for diagnoses. */
  readonly offLink = new OffLinkLog();
  #packetsHeard = 0;
  readonly #transport: PacketTransport;
  readonly #ready: Promise<void>;
  // Set when the sockets could not be opened; told to every waiter that asked.
  #failure: StreamError | undefined;
  readonly #failureListeners = new Set<(error: StreamError) => void>();
  readonly #sendFailureListeners = new Set<(error: StreamError) => void>();
  // Replaced (not changed) on subscribe and unsubscribe, so a dispatch walks a stable list
  // without copying it for every packet.
  #listeners: readonly MessageListener[] = [];
  readonly #interfaceListeners = new Set<() => void>();
  #interfaceCheck: Timer | undefined;
  #holds = 0;
  readonly #own: OwnPackets;
  readonly #queries = new QueryMemo();
  #closed = false;
  #started = false;

  constructor(options: MdnsEngineOptions = {}, transport?: PacketTransport) {
    this.options = resolveEngineOptions(options);
    const { clock, limits, timings, random } = this.options;
    this.#transport = transport ?? new UdpTransport(this.options.interface);
    this.#own = new OwnPackets(clock, () => this.#transport.interfaces());
    this.cache = new RecordCache(clock, limits, timings);
    this.querier = new Querier(
      clock,
      timings,
      this.cache,
      {
        multicast: (message) =>
          this.send(message, { kind: 'multicast' }, (error) => this.#queryNotSent(error)),
        oneShot: (message) => this.send(message, { kind: 'one-shot' }),
      },
      random,
    );
    this.reconfirmer = new Reconfirmer(clock, this.cache, this.querier);
    this.#ready = this.#transport
      .start((bytes, source) => this.receive(bytes, source))
      .catch((error: unknown) => {
        log('transport failed to start: %s', (error as Error).message);
        const failure = toStreamError(error);
        this.#failure = failure;
        const listeners = [...this.#failureListeners];
        this.#failureListeners.clear();
        for (const listener of listeners) listener(failure);
      })
      .finally(() => {
        this.#started = true;
        if (this.#failure === undefined) this.#scheduleInterfaceCheck();
      });
  }

  /** Datagrams received so far, from anyone (a lookup's diagnosis counts those of its wait). */
  get packetsHeard(): number {
    return this.#packetsHeard;
  }

  /** The engine's clock. */
  get clock(): Clock {
    return this.options.clock;
  }

  /** Settles once the sockets are bound (or failed to bind). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * The `%scope` a link-local IPv6 address heard on `interfaceName` takes to
   * be connected to: the name, or the index where the platform needs it
   * (platform.ts). An arrow, so that it can be handed around.
   */
  readonly scopeOf = (interfaceName: string): string =>
    scopeId(this.interfaces().find((i) => i.name === interfaceName) ?? { name: interfaceName });

  /** The interfaces in use. */
  interfaces(): readonly MdnsInterface[] {
    return this.#transport.interfaces();
  }

  /** True when the sockets could not be opened: the shared engine is replaced on next use. */
  get broken(): boolean {
    return this.#failure !== undefined;
  }

  /** @internal Waiters listening for a failure (a test checks that finished ones leave). */
  get failureListenerCount(): number {
    return this.#failureListeners.size;
  }

  /**
   * Calls `listener` if the sockets could not be opened (no usable interface,
   * a bind refused), so a waiter fails at once instead of waiting for answers
   * that cannot come. Returns the removal: a waiter that finishes unsubscribes,
   * so a healthy engine holds nothing for it.
   */
  onFailure(listener: (error: StreamError) => void): () => void {
    const failure = this.#failure;
    if (failure === undefined) {
      this.#failureListeners.add(listener);
      return () => this.#failureListeners.delete(listener);
    }
    let active = true;
    queueMicrotask(() => {
      if (active) listener(failure);
    });
    return () => {
      active = false;
    };
  }

  /**
   * Calls `listener` when a query could not leave because the system refuses
   * multicast (EHOSTUNREACH, EPERM, EACCES: macOS Local Network privacy, a
   * firewall), so a lookup fails at once naming the cause instead of timing
   * out. The engine stays: permission may come later. Returns the removal.
   */
  onSendFailure(listener: (error: StreamError) => void): () => void {
    this.#sendFailureListeners.add(listener);
    return () => this.#sendFailureListeners.delete(listener);
  }

  #queryNotSent(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !BLOCKED_SEND_CODES.has(code)) return;
    log('query not sent: %s', error.message);
    const failure = posixError(
      code,
      `mDNS queries cannot leave this host (${code} sending to the multicast group): ${blockedSendHint(code)}`,
      error,
    );
    for (const listener of [...this.#sendFailureListeners]) listener(failure);
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Keeps the sockets referenced (the process alive) until the returned release is called. */
  hold(): () => void {
    this.#holds += 1;
    if (this.#holds === 1) this.#transport.setActive(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0 && !this.#closed) this.#transport.setActive(false);
    };
  }

  /** Calls `listener` after the interfaces changed (§13). Returns the removal. */
  onInterfacesChanged(listener: () => void): () => void {
    this.#interfaceListeners.add(listener);
    return () => this.#interfaceListeners.delete(listener);
  }

  // §13: a link that comes up, goes away or gets a new address is noticed within one interval;
  // questions are asked again at once, and the responder announces again.
  #scheduleInterfaceCheck(): void {
    if (this.#closed) return;
    this.#interfaceCheck = this.clock.setTimer(() => {
      this.#interfaceCheck = undefined;
      let changed = false;
      try {
        changed = this.#transport.refreshInterfaces();
      } catch (error) {
        log('reading the interfaces failed: %s', (error as Error).message);
      }
      if (changed && !this.#closed) {
        this.querier.reissue();
        for (const listener of [...this.#interfaceListeners]) listener();
      }
      this.#scheduleInterfaceCheck();
    }, this.options.timings.interfaceCheckInterval);
  }

  /** Listens to every decoded packet. Returns the unsubscribe function. */
  onMessage(listener: MessageListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Encodes and sends a message once the sockets are ready. `onError` hears
   * why a message could not be encoded, or (multicast) left on no interface.
   */
  send(message: DnsMessage, destination: Destination, onError?: (error: Error) => void): void {
    if (this.#closed) return;
    let bytes: Buffer;
    try {
      bytes = encodePacket(message);
    } catch (error) {
      log('cannot encode message: %s', (error as Error).message);
      onError?.(error as Error);
      return;
    }
    this.sendEncoded(bytes, destination, onError);
  }

  /** Sends a message encoded already (by encodePacket), as send() does. */
  sendEncoded(bytes: Buffer, destination: Destination, onError?: (error: Error) => void): void {
    if (this.#closed) return;
    if (destination.kind === 'unicast') {
      this.sendUnicastEncoded(bytes, destination.address, destination.port);
      return;
    }
    this.#own.sent(bytes);
    if (this.#started) this.#deliver(bytes, destination, onError);
    else this.#whenStarted(() => this.#deliver(bytes, destination, onError));
  }

  /**
   * sendEncoded to one address and port: the responder's unicast replies, thousands a second
   * under load, with no destination object per reply and one shape through this path.
   */
  sendUnicastEncoded(bytes: Buffer, address: string, port: number): void {
    if (this.#closed) return;
    this.#own.sentTo(bytes, address, port);
    if (this.#started) this.#transport.sendUnicast(bytes, address, port);
    else this.#whenStarted(() => this.#transport.sendUnicast(bytes, address, port));
  }

  // A send made before the sockets are bound goes once they are, unless the engine closed first.
  #whenStarted(send: () => void): void {
    this.#ready.then(
      () => {
        if (!this.#closed) send();
      },
      () => {},
    );
  }

  // Unicast goes through sendUnicastEncoded; the other kinds come here.
  #deliver(
    bytes: Buffer,
    destination: Exclude<Destination, { kind: 'unicast' }>,
    onError?: (error: Error) => void,
  ): void {
    if (this.#closed) return;
    if (destination.kind === 'multicast')
      this.#transport.sendMulticast(bytes, destination.interfaceName, onError);
    else this.#transport.sendOneShot(bytes);
  }

  /** The receive path: decode (never throws), then cache and dispatch. */
  receive(bytes: Buffer, source: PacketSource): void {
    if (this.#closed) return;
    // Our own multicast looped back is not "heard": a silent link must show as silent.
    const own = this.#own.loopedBack(bytes, source.address, source.port);
    if (!own) this.#packetsHeard += 1;
    // RFC 6762 §11: a packet of no known link (off-link source) is neither answered nor cached;
    // a response is remembered by name, for the diagnosis of a lookup that found nothing.
    if (source.interfaceName === undefined) {
      log('ignoring packet from off-link %s', source.address);
      const { message } = decodePacket(bytes);
      if (message !== undefined && isResponse(message)) this.offLink.note(message, source.address);
      return;
    }
    const message = this.#queries.decode(bytes);
    if (message === undefined) return;
    if (!isResponse(message)) {
      // Our own queries loop back to us; only another querier's count for duplicate suppression.
      if (source.port === MDNS_PORT && !own) this.querier.observeQuery(message);
    } else {
      // RFC 6762 §6, §11: responses come from port 5353, except unicast answers to our one-shot queries.
      if (source.port !== MDNS_PORT && !source.viaOneShot) {
        log('ignoring response from %s:%d', source.address, source.port);
        return;
      }
      this.cache.addRecords(
        [...message.answers, ...message.additionals],
        source.interfaceName,
        source.address,
      );
    }
    for (const listener of this.#listeners) {
      try {
        listener(message, source);
      } catch (error) {
        log('listener failed: %s', (error as Error).message);
      }
    }
  }

  /** Stops everything and closes the sockets. Pending lookups time out or are aborted by their owners. */
  close(): void {
    if (this.#closed) return;
    for (const hook of [...closeHooks]) hook(this);
    this.#closed = true;
    this.#interfaceCheck?.cancel();
    this.#interfaceListeners.clear();
    this.reconfirmer.close();
    this.querier.close();
    this.cache.clear();
    this.#listeners = [];
    this.#queries.clear();
    this.#transport.close();
  }
}

let shared: MdnsEngine | undefined;
let sharedOptions: MdnsEngineOptions = {};
const closeHooks = new Set<(engine: MdnsEngine) => void>();

/** The process's engine, created on first use. */
export function getMdnsEngine(): MdnsEngine {
  // A broken engine (no interface yet, say) is replaced, so a later call can succeed.
  if (shared?.broken) shared.close();
  if (shared === undefined || shared.closed) shared = new MdnsEngine(sharedOptions);
  return shared;
}

/** The process's engine if one is running and healthy; never starts one (for cache peeks). */
export function runningMdnsEngine(): MdnsEngine | undefined {
  return shared === undefined || shared.closed || shared.broken ? undefined : shared;
}

/** Runs before any engine closes (the responder sends goodbyes here). */
export function onEngineClose(hook: (engine: MdnsEngine) => void): () => void {
  closeHooks.add(hook);
  return () => closeHooks.delete(hook);
}

/**
 * Closes the shared engine (if any) and sets the options the next one is
 * created with. Tests use it to start clean and to shorten RFC delays.
 */
export function resetMdnsEngine(options: MdnsEngineOptions = {}): void {
  const engine = shared;
  shared = undefined;
  sharedOptions = options;
  engine?.close();
}
