/**
 * The responder (RFC 6762 §6-§10): probes a new service's unique names
 * (§8.1: three probes 250 ms apart, tie-break §8.2, rename "Name (2)" on
 * conflict, 5 s pauses after 15 conflicts in 10 s), announces it (§8.3),
 * answers queries (§6: unique records at once, shared ones after 20-120 ms,
 * legacy unicast per §6.7, one multicast per record per second), defends it
 * (§9) and says goodbye (§10.1). Address records are those of the interface
 * a query came in on. This file drives the registrations through their
 * states; responder-registration.ts holds one registration and its records,
 * responder-conflicts.ts judges conflicts and tie-breaks, and
 * responder-replier.ts paces the answers.
 */
import { debuglog } from 'node:util';
import { type DnsMessage, isResponse, MDNS_PORT } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import type { MdnsEngine } from './engine.js';
import type { MdnsInterface } from './interfaces.js';
import type { MtuReader } from './link-mtu.js';
import { ConflictRate, conflictIn, lostTieBreak } from './responder-conflicts.js';
import { probeMessage, probeProblem, unsentProbeError } from './responder-probe.js';
import { nextHostName, nextInstanceName, type OwnedRecord } from './responder-records.js';
import {
  announcedRecords,
  goodbyes,
  instanceName,
  newRegistration,
  type Registration,
  registrationRecords,
  type ServiceSpec,
} from './responder-registration.js';
import { Replier } from './responder-replier.js';
import type { PacketSource } from './transport.js';
import { UpdateAnnouncer } from './update-announcer.js';
import { vanishedAddressGoodbyes } from './vanished-addresses.js';

export type { ServiceSpec } from './responder-registration.js';

const log = debuglog('cfstream:mdns');

/** The records announced on one interface, and what they were built from. */
interface AnswerSet {
  readonly iface: MdnsInterface | undefined;
  readonly addresses: MdnsInterface['addresses'] | undefined;
  readonly hostName: string;
  readonly made: readonly {
    reg: Registration;
    state: Registration['state'];
    label: string;
    spec: Registration['spec'];
  }[];
  readonly records: OwnedRecord[];
}

/** The responder of one engine. */
export class Responder {
  readonly #engine: MdnsEngine;
  readonly #registrations = new Set<Registration>();
  readonly #replier: Replier;
  readonly #answerSets = new Map<string, AnswerSet>();
  readonly #conflicts = new ConflictRate();
  #hostName: string;
  #unsubscribe: (() => void) | undefined;
  #release: (() => void) | undefined;
  #offFailure: (() => void) | undefined;
  #offInterfaces: (() => void) | undefined;
  // The interfaces as last seen, to tell which addresses left (§10.1).
  #seenInterfaces: readonly MdnsInterface[] = [];

  /** `mtu` reads a link's MTU for the size of answers (default: sysfs on Linux). */
  constructor(engine: MdnsEngine, hostName: string, mtu?: MtuReader) {
    this.#engine = engine;
    this.#hostName = hostName;
    this.#replier = new Replier(engine, (iface) => this.#announcedRecords(iface), mtu);
  }

  /** The host name the SRV records point at (it changes on a host-name conflict). */
  get hostName(): string {
    return this.#hostName;
  }

  /**
   * Registers a service; the promise settles with the final instance name.
   * It rejects at once with BadArgument when the service's probe cannot fit
   * one packet (a TXT too large, §17), and with the cause when none of its
   * probes could be sent on any interface.
   */
  register(spec: ServiceSpec): {
    registered: Promise<string>;
    stop: () => void;
    setTxt: (txt: readonly Buffer[]) => void;
  } {
    const problem = probeProblem(
      { type: spec.type, hostName: this.#hostName, port: spec.port, txt: spec.txt },
      this.#interfaces(),
    );
    if (problem !== undefined) {
      const refused = Promise.reject(problem);
      refused.catch(() => {});
      return { registered: refused, stop: () => {}, setTxt: () => {} };
    }
    let reg!: Registration;
    const registered = new Promise<string>((resolve, reject) => {
      reg = newRegistration(spec, resolve, reject);
    });
    registered.catch(() => {});
    this.#registrations.add(reg);
    this.#unsubscribe ??= this.#engine.onMessage((message, source) =>
      this.#onMessage(message, source),
    );
    this.#release ??= this.#engine.hold();
    // §13: new links learn our records, and changed addresses replace the old (cache-flush);
    // §10.1: an address gone with no replacement gets a goodbye.
    if (this.#offInterfaces === undefined) {
      this.#seenInterfaces = this.#interfaces();
      this.#offInterfaces = this.#engine.onInterfacesChanged(() => {
        const before = this.#seenInterfaces;
        this.#seenInterfaces = this.#interfaces();
        if (![...this.#registrations].some((r) => r.state === 'announced')) return;
        for (const { iface, goodbyes } of vanishedAddressGoodbyes(
          this.#hostName,
          before,
          this.#seenInterfaces,
        ))
          this.#replier.multicast(iface, goodbyes);
        for (const announced of this.#registrations)
          if (announced.state === 'announced') this.#announce(announced, 0);
      });
    }
    // One listener while anything is registered: an engine without sockets fails every registration.
    this.#offFailure ??= this.#engine.onFailure((error) => {
      for (const pending of [...this.#registrations]) {
        if (pending.settled) continue;
        pending.settled = true;
        pending.reject(error);
        this.#stop(pending, false);
      }
    });
    this.#startProbing(
      reg,
      this.#engine.options.random() * this.#engine.options.timings.probeInitialDelayMax,
    );
    return { registered, stop: () => this.#stop(reg), setTxt: (txt) => this.#setTxt(reg, txt) };
  }

  /**
   * §8.4: a new TXT replaces the old one in what we answer at once, and is
   * announced (with cache-flush) like a new record, paced by UpdateAnnouncer.
   * A TXT whose probe would not fit one packet is refused, as at publish.
   */
  #setTxt(reg: Registration, txt: readonly Buffer[]): void {
    if (reg.state === 'stopped')
      throw new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.Invalid,
        `${this.#instance(reg)} is no longer published`,
      );
    const problem = probeProblem(
      { type: reg.spec.type, hostName: this.#hostName, port: reg.spec.port, txt },
      this.#interfaces(),
    );
    if (problem !== undefined) throw problem;
    reg.spec = { ...reg.spec, txt };
    // While probing, the next probe and the announcement carry the new TXT already.
    if (reg.state !== 'announced') return;
    reg.updates ??= new UpdateAnnouncer(
      this.#engine.clock,
      () => this.#announceTxt(reg),
      this.#engine.options.timings.announceInterval,
    );
    reg.updates.changed();
  }

  // The TXT record alone, as it is now: peers flush the old one (§10.2) and keep the rest.
  #announceTxt(reg: Registration): void {
    if (reg.state !== 'announced') return;
    for (const iface of this.#interfaces()) {
      const txt = this.#records(reg, iface).filter((r) => r.record.data.type === 'TXT');
      this.#replier.multicast(iface, txt);
    }
  }

  /** Sends goodbyes for everything and stops; for engine shutdown. */
  close(): void {
    for (const reg of [...this.#registrations]) this.#stop(reg);
    this.#replier.close();
  }

  #instance(reg: Registration): string {
    return instanceName(reg);
  }

  /** Every record of a registration on one interface. */
  #records(reg: Registration, iface: MdnsInterface | undefined): OwnedRecord[] {
    return registrationRecords(reg, this.#hostName, iface);
  }

  // Every query asks for these: built again only when what they are made of changed (a
  // registration's state, name or TXT, the host name, the interface or its addresses).
  #announcedRecords(iface: MdnsInterface | undefined): OwnedRecord[] {
    const key = iface?.name ?? '';
    const cached = this.#answerSets.get(key);
    if (cached !== undefined && this.#stillValid(cached, iface)) return cached.records;
    const records = announcedRecords(this.#registrations, this.#hostName, iface);
    const made = [...this.#registrations].map((reg) => ({
      reg,
      state: reg.state,
      label: reg.label,
      spec: reg.spec,
    }));
    const entry = { iface, addresses: iface?.addresses, hostName: this.#hostName, made, records };
    this.#answerSets.set(key, entry);
    return records;
  }

  #stillValid(set: AnswerSet, iface: MdnsInterface | undefined): boolean {
    if (set.iface !== iface || set.addresses !== iface?.addresses) return false;
    if (set.hostName !== this.#hostName || set.made.length !== this.#registrations.size)
      return false;
    let i = 0;
    for (const reg of this.#registrations) {
      const was = set.made[i++];
      if (
        was === undefined ||
        was.reg !== reg ||
        was.state !== reg.state ||
        was.label !== reg.label ||
        was.spec !== reg.spec
      )
        return false;
    }
    return true;
  }

  #interfaces(): readonly MdnsInterface[] {
    const list = this.#engine.interfaces();
    return list.length > 0 ? list : [];
  }

  #setTimer(reg: Registration, delay: number, action: () => void): void {
    reg.timer?.cancel();
    reg.timer = this.#engine.clock.setTimer(() => {
      reg.timer = undefined;
      action();
    }, delay);
  }

  // §8.1: three probes, 250 ms apart; after the third and 250 ms of quiet, the names are ours.
  #startProbing(reg: Registration, delay: number): void {
    reg.state = 'probing';
    reg.probes = 0;
    reg.run = { sends: 0, failures: 0, error: undefined };
    this.#setTimer(reg, delay, () => this.#probe(reg));
  }

  #probe(reg: Registration): void {
    if (reg.state !== 'probing') return;
    if (reg.probes === 3) {
      if (!reg.settled && reg.run.failures === reg.run.sends) {
        this.#unsendable(reg);
        return;
      }
      this.#announce(reg, 0);
      return;
    }
    reg.probes += 1;
    const { spec } = reg;
    const subject = {
      instance: this.#instance(reg),
      type: spec.type,
      hostName: this.#hostName,
      port: spec.port,
      txt: spec.txt,
    };
    const run = reg.run;
    for (const iface of this.#interfaces()) {
      run.sends += 1;
      this.#engine.send(
        probeMessage(subject, iface, reg.probes === 1),
        { kind: 'multicast', interfaceName: iface.name },
        (error) => {
          run.failures += 1;
          run.error = error;
        },
      );
    }
    log('probe %d for %s', reg.probes, this.#instance(reg));
    this.#setTimer(reg, this.#engine.options.timings.probeInterval, () => this.#probe(reg));
  }

  // Not one probe left on any interface: the names were never claimed, so the
  // publication fails with the reason (no socket on port 5353, no link, a send error).
  #unsendable(reg: Registration): void {
    reg.settled = true;
    reg.reject(unsentProbeError(this.#instance(reg), reg.run.error));
    this.#stop(reg, false);
  }

  // §8.3: unsolicited responses with every record, the second one second later.
  #announce(reg: Registration, count: number): void {
    if (reg.state === 'stopped') return;
    reg.state = 'announced';
    for (const iface of this.#interfaces()) {
      const records = this.#records(reg, iface);
      this.#replier.multicast(iface, records);
    }
    if (!reg.settled) {
      reg.settled = true;
      log('registered %s', this.#instance(reg));
      reg.resolve(reg.label);
    }
    if (count === 0)
      this.#setTimer(reg, this.#engine.options.timings.announceInterval, () =>
        this.#announce(reg, 1),
      );
  }

  #onMessage(message: DnsMessage, source: PacketSource): void {
    // A loop, not find(): no closure per packet on the receive path.
    let iface: MdnsInterface | undefined;
    for (const i of this.#interfaces())
      if (i.name === source.interfaceName) {
        iface = i;
        break;
      }
    if (isResponse(message)) {
      if (source.port !== MDNS_PORT) return;
      this.#onResponse(message);
      this.#replier.observeResponse(message, iface);
      return;
    }
    if (message.authorities.length > 0) this.#tieBreak(message, iface);
    this.#replier.answer(message, source, iface);
  }

  // §8.2: a rival probe for a name we are probing; the loser probes again in 1 s.
  #tieBreak(message: DnsMessage, iface: MdnsInterface | undefined): void {
    for (const reg of this.#registrations) {
      if (reg.state !== 'probing' || reg.probes === 0) continue;
      const lost = lostTieBreak(reg, message, this.#hostName, this.#interfaces(), iface);
      if (lost === undefined) continue;
      log('lost probe tie-break for %s; probing again in 1 s', lost);
      this.#startProbing(reg, this.#engine.options.timings.tieBreakWait);
      return;
    }
  }

  // §8.1, §9: another host's response with other data for one of our unique names.
  #onResponse(message: DnsMessage): void {
    for (const reg of [...this.#registrations]) {
      if (reg.state === 'stopped') continue;
      const what = conflictIn(reg, message, this.#hostName, this.#interfaces());
      if (what !== undefined) this.#conflict(reg, what);
    }
  }

  #conflict(reg: Registration, what: 'host' | 'instance'): void {
    const now = this.#engine.clock.now();
    const { probeRateLimitWait } = this.#engine.options.timings;
    if (reg.state === 'announced') {
      // §9: a conflict after announcing sends us back to probing, under the same name.
      log('conflict for announced %s; probing again', this.#instance(reg));
      this.#startProbing(reg, 0);
      return;
    }
    const pause = this.#conflicts.note(now);
    if (what === 'host') {
      this.#hostName = nextHostName(this.#hostName);
    } else if (reg.spec.noRename) {
      reg.settled = true;
      reg.reject(
        new StreamError(
          ErrorDomain.NetServices,
          NetServicesError.Collision,
          `name in use: ${this.#instance(reg)}`,
        ),
      );
      this.#stop(reg, false);
      return;
    } else {
      reg.label = nextInstanceName(reg.label);
    }
    log('conflict (%s); now %s on %s', what, this.#instance(reg), this.#hostName);
    const delay = pause ? probeRateLimitWait : 0;
    this.#startProbing(reg, delay);
  }

  // §10.1: goodbyes (TTL 0) for what only this registration owned.
  #stop(reg: Registration, goodbye = true): void {
    if (reg.state === 'stopped') return;
    const wasAnnounced = reg.state === 'announced';
    reg.state = 'stopped';
    reg.timer?.cancel();
    reg.updates?.cancel();
    this.#registrations.delete(reg);
    if (!reg.settled) {
      reg.settled = true;
      reg.reject(
        new StreamError(
          ErrorDomain.NetServices,
          NetServicesError.Cancel,
          `publication of ${this.#instance(reg)} stopped`,
        ),
      );
    }
    if (goodbye && wasAnnounced)
      for (const { iface, records } of goodbyes(
        reg,
        this.#registrations,
        this.#hostName,
        this.#interfaces(),
      ))
        this.#replier.multicast(iface, records);
    if (this.#registrations.size === 0) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      this.#release?.();
      this.#release = undefined;
      this.#offFailure?.();
      this.#offFailure = undefined;
      this.#offInterfaces?.();
      this.#offInterfaces = undefined;
    }
  }
}
