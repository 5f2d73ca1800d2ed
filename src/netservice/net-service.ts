/**
 * NetService: a DNS-SD service instance, as CFNetService. Creating one does
 * no I/O. `resolve$` finds its host, port, addresses and TXT; every
 * concurrent `resolveForConnect` (the first open of many pairs) shares one
 * resolution; `publish` registers it on the link and `stop` withdraws it.
 */
import type { Observable } from 'rxjs';
import { LazySignal, SharedLookup } from '../abort.js';
import type { CachedResolutionMemo, ResolvedAddress, ServiceResolution } from '../address.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { portProblem } from '../port.js';
import { newObservable, rxMap } from '../rx.js';
import { discoveryFor, findDiscovery, type Publication, unsupported } from './discovery.js';
import './mdns-discovery.js';
import { resolveMovedService, type TriedResolution } from './moved-service.js';
import './unicast-discovery.js';
import {
  checkInstanceName,
  checkPublishableName,
  checkSubtype,
  formatServiceName,
  normalizeDomain,
  normalizeType,
  parseServiceName,
  wireName,
} from './service-name.js';
import {
  dictionaryFromTxtStrings,
  type TxtDictionary,
  type TxtInput,
  txtStringsFromData,
  txtStringsFromDictionary,
} from './txt-record.js';

/** What a resolve reports. */
export interface NetServiceInfo {
  readonly hostName: string;
  readonly port: number;
  readonly addresses: ResolvedAddress[];
  readonly txt: TxtDictionary;
  /** The raw TXT strings (RFC 6763 §6), for binary values and duplicate keys. */
  readonly txtStrings: readonly Buffer[];
}

/** Options of publish. */
export interface PublishOptions {
  readonly port?: number;
  readonly txt?: TxtInput;
  /** Fail with a NetServices Collision instead of renaming to "Name (2)" on conflict. */
  readonly noRename?: boolean;
  /** Subtypes to register too (RFC 6763 §7.1): `['_printer']` answers `_printer._sub._http._tcp`. */
  readonly subtypes?: readonly string[];
}

/** A resolution as the NetServiceInfo that resolve$, monitor$ and services$ report. */
export function netServiceInfo(resolution: ServiceResolution): NetServiceInfo {
  const txtStrings = resolution.txt ?? [];
  return {
    hostName: resolution.hostName,
    port: resolution.port,
    addresses: resolution.addresses,
    txt: dictionaryFromTxtStrings(txtStrings),
    txtStrings,
  };
}

// Set by NetService's static block: the one door to a service's wire name from outside the class.
let keepWireName: (service: NetService, wire: string) => void = () => {};

/**
 * A service found by browsing, resolved by the PTR target's exact wire
 * labels: a peer may write "My.Printer" as two labels instead of `My\.Printer`
 * (python-zeroconf does), and only its own spelling of the name answers.
 */
export function serviceFromPtrTarget(instance: string): NetService {
  const service = NetService.parse(`${instance}.`);
  keepWireName(service, instance);
  return service;
}

/** A DNS-SD service instance (CFNetService). */
export class NetService {
  static {
    keepWireName = (service, wire) => {
      service.#wire = { name: service.#name, wire };
    };
  }

  readonly #domain: string;
  readonly #type: string;
  #name: string;
  #port: number | undefined;
  #resolved: ServiceResolution | undefined;
  readonly #lookup = new SharedLookup<ServiceResolution>();
  // Every open that failed to connect at once shares one fresh resolution.
  readonly #again = new SharedLookup<ServiceResolution | undefined>();
  #publication: Publication | undefined;
  #wire: { readonly name: string; readonly wire: string } | undefined;
  // The discovery's last cached answer, given again while its cache is unchanged (warm opens).
  #cachedMemo: CachedResolutionMemo | undefined;

  /** A service by domain ("local."), type ("_echo._tcp") and instance name ("My Echo"). */
  constructor(domain: string, type: string, name: string, port?: number) {
    this.#domain = normalizeDomain(domain);
    this.#type = normalizeType(type);
    this.#name = checkInstanceName(name);
    if (port !== undefined) checkPort(port);
    this.#port = port;
  }

  /** A service from its full escaped name: `NetService.parse('My Echo._echo._tcp.local.')`. */
  static parse(fullName: string, port?: number): NetService {
    const parts = parseServiceName(fullName);
    return new NetService(parts.domain, parts.type, parts.name, port);
  }

  get domain(): string {
    return this.#domain;
  }
  get type(): string {
    return this.#type;
  }
  /** The instance name; after publish, the name actually registered. */
  get name(): string {
    return this.#name;
  }
  /** The port given, published, or resolved. */
  get port(): number | undefined {
    return this.#port ?? this.#resolved?.port;
  }
  /** The target host of the last resolution. */
  get hostName(): string | undefined {
    return this.#resolved?.hostName;
  }
  /** The addresses of the last resolution. */
  get addresses(): readonly ResolvedAddress[] | undefined {
    return this.#resolved?.addresses;
  }

  /** The full escaped instance name, with the final dot. */
  toString(): string {
    return formatServiceName({ name: this.#name, type: this.#type, domain: this.#domain });
  }

  /** Resolves host, port, addresses and TXT; errors with NetServices Timeout (-72007) when `timeout` ms pass first. */
  resolve$(options: { timeout?: number } = {}): Observable<NetServiceInfo> {
    return newObservable<NetServiceInfo>((subscriber) => {
      // A LazySignal: no AbortSignal is built for the resolve unless the discovery wants one.
      const cancel = new LazySignal();
      discoveryFor(this.#domain)
        .resolve(this.#wireName(), {
          signal: cancel,
          timeoutMs: options.timeout,
          needTxt: true,
        })
        .then(
          (resolution) => {
            this.#resolved = resolution;
            subscriber.next(netServiceInfo(resolution));
            subscriber.complete();
          },
          (error: unknown) => {
            if (!cancel.aborted) subscriber.error(error);
          },
        );
      return () =>
        cancel.abort(
          new StreamError(ErrorDomain.NetServices, NetServicesError.Cancel, 'resolve cancelled'),
        );
    });
  }

  /**
   * Watches the service (CFNetServiceMonitor, widened): emits its
   * NetServiceInfo once SRV, addresses and TXT are known, then after every
   * change of TXT, port, target host or addresses, until unsubscribed. It asks
   * for the records for as long as it runs; changes coming faster than twice
   * a second are merged into the latest.
   */
  monitor$(): Observable<NetServiceInfo> {
    return newObservable<NetServiceInfo>((subscriber) => {
      const discovery = discoveryFor(this.#domain);
      if (discovery.monitor === undefined) throw unsupported('monitor$', this.#domain);
      return discovery
        .monitor(this.#wireName())
        .pipe(
          rxMap((resolution) => {
            this.#resolved = resolution;
            return netServiceInfo(resolution);
          }),
        )
        .subscribe(subscriber);
    });
  }

  /**
   * Replaces the TXT of a published service and announces it
   * (CFNetServiceSetTXTData; RFC 6762 §8.4): peers see an update, not a
   * removal. The same checks as publish, thrown at once: a string over 255
   * bytes, or a TXT too large for one packet, is a NetServices BadArgument; a
   * service not published is NetServices Invalid. The promise settles once the
   * change is in place: at once on the link; in a DNS domain when the server
   * has taken the UPDATE, or rejects with its refusal (a NetServices error
   * naming the rcode, e.g. NXRRSET when the service was deleted on the
   * server), leaving the old TXT. Ignoring the promise is safe: a refusal
   * is never an unhandled rejection.
   */
  setTXTData(txt: TxtInput | Uint8Array): Promise<void> {
    const strings = txt instanceof Uint8Array ? checkTxtData(txt) : txtStringsFromDictionary(txt);
    const publication = this.#publication;
    if (publication === undefined)
      throw new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.Invalid,
        `${this} is not published: setTXTData needs publish() first`,
      );
    if (publication.setTxt === undefined) throw unsupported('setTXTData', this.#domain);
    const change = publication.setTxt(strings);
    // Handled here so that a caller who does not wait for it never crashes on a refusal.
    change.catch(() => {});
    return change;
  }

  /**
   * Resolves for a connection. Concurrent callers share one resolution; each
   * caller's signal only stops its own wait (the shared one stops when every
   * caller has gone).
   */
  resolveForConnect(
    signal: AbortSignal,
    timeoutMs?: number,
  ): Promise<{ hostName: string; port: number; addresses: ResolvedAddress[] }> {
    let resolved: Promise<ServiceResolution>;
    try {
      const discovery = discoveryFor(this.#domain);
      // Every concurrent open shares one resolution (one question on the wire).
      resolved = this.#lookup.join(signal, (cancel: AbortSignal | LazySignal) =>
        discovery.resolve(this.#wireName(), { signal: cancel, timeoutMs, needTxt: false }),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return resolved.then((r) => {
      this.#resolved = r;
      return { hostName: r.hostName, port: r.port, addresses: [...r.addresses] };
    });
  }

  /**
   * @internal Connecting to `failed` failed (refused, unreachable, timed
   * out): reconfirms its records (RFC 6762 §10.4) and resolves afresh past
   * the cache. Undefined when no different answer comes in time.
   */
  async resolveAgain(
    signal: AbortSignal,
    failed: TriedResolution,
  ): Promise<{ hostName: string; port: number; addresses: ResolvedAddress[] } | undefined> {
    const discovery = findDiscovery(this.#domain);
    if (discovery === undefined) return undefined;
    const instance = this.#wireName();
    const fresh = await this.#again.join(signal, (shared) =>
      resolveMovedService(discovery, instance, failed, shared),
    );
    if (fresh === undefined) return undefined;
    this.#resolved = fresh;
    return { hostName: fresh.hostName, port: fresh.port, addresses: [...fresh.addresses] };
  }

  /**
   * The resolution the mDNS cache holds now, without asking the network or
   * starting the engine; undefined when anything is missing. A pair's open
   * uses it to connect at once to a service resolved moments ago.
   */
  cachedResolution(): { hostName: string; port: number; addresses: ResolvedAddress[] } | undefined {
    // A domain nobody serves has nothing cached; its resolve reports the error.
    const resolution = findDiscovery(this.#domain)?.cached(
      this.#wireName(),
      (this.#cachedMemo ??= { instanceName: '', stamp: -1, resolution: undefined }),
    );
    if (resolution === undefined) return undefined;
    this.#resolved = resolution;
    return {
      hostName: resolution.hostName,
      port: resolution.port,
      // The memo keeps the array for the next open: the caller gets its own.
      addresses: [...resolution.addresses],
    };
  }

  /**
   * Publishes the service: probes, renames on conflict ("Name (2)") unless
   * `noRename`, announces, and answers queries. Resolves with the registered
   * name. A TXT string over 255 bytes is a NetServices BadArgument.
   */
  async publish(options: PublishOptions = {}): Promise<string> {
    if (this.#publication)
      throw new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.InProgress,
        `${this} is already published`,
      );
    checkPublishableName(this.#name);
    const port = options.port ?? this.#port;
    if (port === undefined)
      throw new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.BadArgument,
        'publish needs a port',
      );
    checkPort(port);
    const txt = txtStringsFromDictionary(options.txt ?? {});
    const subtypes = (options.subtypes ?? []).map((s) => checkSubtype(s, this.#type));
    const discovery = discoveryFor(this.#domain);
    if (subtypes.length > 0 && discovery.subtypes !== true)
      throw unsupported('publishing subtypes', this.#domain);
    const publication = discovery.publish({
      name: this.#name,
      type: this.#type,
      domain: this.#domain,
      port,
      txt,
      noRename: options.noRename ?? false,
      ...(subtypes.length > 0 ? { subtypes } : {}),
    });
    this.#publication = publication;
    this.#port = port;
    try {
      this.#name = await publication.registered;
    } catch (error) {
      if (this.#publication === publication) this.#publication = undefined;
      throw error;
    }
    return this.#name;
  }

  /** Withdraws a published service (goodbyes, RFC 6762 §10.1); opens still waiting for its resolution fail with NetServices Cancel. */
  async stop(): Promise<void> {
    const stopped = new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.Cancel,
      'service stopped',
    );
    this.#lookup.cancel(stopped);
    this.#again.cancel(stopped);
    const publication = this.#publication;
    this.#publication = undefined;
    await publication?.stop();
  }

  // The name on the wire, kept while the instance name stays (a warm open asks for it each time).
  #wireName(): string {
    if (this.#wire?.name !== this.#name)
      this.#wire = { name: this.#name, wire: wireName(this.#parts()) };
    return this.#wire.wire;
  }

  #parts(): { name: string; type: string; domain: string } {
    return { name: this.#name, type: this.#type, domain: this.#domain };
  }
}

// TXT RDATA as CFNetServiceSetTXTData takes it: whole strings only, and within one record's size.
function checkTxtData(data: Uint8Array): Buffer[] {
  const strings = txtStringsFromData(data);
  const used = strings.reduce((n, s) => n + 1 + s.length, 0);
  if (data.length > 0xffff || (used !== data.length && !(data.length === 1 && data[0] === 0)))
    throw new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.BadArgument,
      `malformed TXT data (${data.length} bytes): a string runs past the end, or over 65,535 bytes`,
    );
  return strings;
}

// The package's port rule (src/port.ts); a published port may be 0. A bad argument to a
// NetService is a NetServices BadArgument, with the rule's RangeError as its cause.
function checkPort(port: number): void {
  const problem = portProblem(port, 'publish');
  if (problem !== undefined) {
    throw new StreamError(ErrorDomain.NetServices, NetServicesError.BadArgument, problem, {
      cause: new RangeError(problem),
    });
  }
}
