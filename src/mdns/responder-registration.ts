/**
 * One published service as the responder holds it: what was asked for, the
 * state of its probing and announcing (RFC 6762 §8), and the records it owns
 * on each interface, with the address records of that interface's link.
 */
import type { Timer } from '../clock.js';
import { escapeLabel } from '../dns/dns-name.js';
import type { MdnsInterface } from './interfaces.js';
import { recordKey } from './record-cache.js';
import { hostRecords, type OwnedRecord, serviceRecords } from './responder-records.js';
import type { UpdateAnnouncer } from './update-announcer.js';

/** What to register. `type` is "_echo._tcp.local" (no final dot). */
export interface ServiceSpec {
  readonly name: string;
  readonly type: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
  readonly noRename: boolean;
  /** RFC 6763 §7.1 subtype labels ("_printer"). */
  readonly subtypes?: readonly string[];
}

/** Where a registration stands: probing its names (§8.1), announced (§8.3), or withdrawn. */
export type RegistrationState = 'probing' | 'announced' | 'stopped';

/** The probes of one probing run: how many left for an interface, and how many of those failed. */
export interface ProbeRun {
  sends: number;
  failures: number;
  error: Error | undefined;
}

/** One service being published. */
export interface Registration {
  /** Replaced (not mutated) when the TXT changes. */
  spec: ServiceSpec;
  /** §8.4 announcements of a changed TXT, created by the first change. */
  updates: UpdateAnnouncer | undefined;
  label: string;
  state: RegistrationState;
  probes: number;
  run: ProbeRun;
  timer: Timer | undefined;
  resolve: (name: string) => void;
  reject: (error: Error) => void;
  settled: boolean;
}

/** A registration about to probe, with the callbacks of its promise. */
export function newRegistration(
  spec: ServiceSpec,
  resolve: (name: string) => void,
  reject: (error: Error) => void,
): Registration {
  return {
    spec,
    updates: undefined,
    label: spec.name,
    state: 'probing',
    probes: 0,
    run: { sends: 0, failures: 0, error: undefined },
    timer: undefined,
    resolve,
    reject,
    settled: false,
  };
}

/** The instance name as it stands (its label changes on a conflict, §9). */
export function instanceName(reg: Registration): string {
  return `${escapeLabel(reg.label)}.${reg.spec.type}`;
}

/** Every record of a registration on one interface. */
export function registrationRecords(
  reg: Registration,
  hostName: string,
  iface: MdnsInterface | undefined,
): OwnedRecord[] {
  const { spec } = reg;
  return [
    ...serviceRecords(instanceName(reg), spec.type, hostName, spec.port, spec.txt, spec.subtypes),
    ...hostRecords(hostName, iface),
  ];
}

/** The records of every announced registration on one interface, each once. */
export function announcedRecords(
  registrations: Iterable<Registration>,
  hostName: string,
  iface: MdnsInterface | undefined,
): OwnedRecord[] {
  const all = new Map<string, OwnedRecord>();
  for (const reg of registrations) {
    if (reg.state !== 'announced') continue;
    for (const r of registrationRecords(reg, hostName, iface)) all.set(recordKey(r.record), r);
  }
  return [...all.values()];
}

/**
 * §10.1: the goodbyes (TTL 0) of a withdrawn registration on each interface,
 * for what no other announced registration still owns (the host's
 * addresses, a shared type PTR).
 */
export function goodbyes(
  reg: Registration,
  others: Iterable<Registration>,
  hostName: string,
  interfaces: readonly MdnsInterface[],
): { iface: MdnsInterface; records: OwnedRecord[] }[] {
  const rest = [...others];
  const stillOwned = new Set(
    interfaces.flatMap((i) => announcedRecords(rest, hostName, i).map((r) => recordKey(r.record))),
  );
  const out: { iface: MdnsInterface; records: OwnedRecord[] }[] = [];
  for (const iface of interfaces) {
    const records = registrationRecords(reg, hostName, iface)
      .filter((r) => !stillOwned.has(recordKey(r.record)))
      .map((r) => ({ ...r, record: { ...r.record, ttl: 0 } }));
    if (records.length > 0) out.push({ iface, records });
  }
  return out;
}
