/**
 * Why an mDNS lookup found nothing: what the engine saw during the wait,
 * read when the lookup times out (src/diagnosis.ts has the shape). The
 * likeliest reason leads the one-line summary: nothing heard at all
 * (multicast blocked), the name answering from off-link (RFC 6762 §11), an
 * SRV whose host never gave addresses, a missing TXT, or a near miss among
 * the instances of the same type (a typo).
 */
import { networkInterfaces } from 'node:os';
import type { LookupDiagnosis, OffLinkAnswer } from '../diagnosis.js';
import { joinName, nameKey, splitName } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { cachedAddresses } from './cached-addresses.js';
import type { MdnsEngine } from './engine.js';
import { interfaceForSource, type MdnsInterface } from './interfaces.js';

/** At most this many same-type instances are listed. */
const SAME_TYPE_LISTED = 5;

/** A service instance name split into its instance label and its type (`_x._tcp.domain`). */
export function splitInstance(name: string): { instance: string; type: string } | undefined {
  let labels: string[];
  try {
    labels = splitName(name);
  } catch {
    return undefined;
  }
  for (let i = 1; i + 1 < labels.length; i++) {
    const proto = labels[i + 1]?.toLowerCase();
    if (labels[i]?.startsWith('_') && (proto === '_tcp' || proto === '_udp'))
      return { instance: labels.slice(0, i).join('.'), type: joinName(labels.slice(i)) };
  }
  return undefined;
}

/** Levenshtein distance, case folded: how far apart two names are. */
export function editDistance(a: string, b: string): number {
  const s = [...a.toLowerCase()];
  const t = [...b.toLowerCase()];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = row;
  }
  return previous[t.length] ?? 0;
}

/** The instances of `type` the cache lists, closest to `instance` first. */
function sameTypeInstances(engine: MdnsEngine, type: string, sought: string): string[] {
  const names = new Set<string>();
  for (const entry of engine.cache.lookup(type, RRType.PTR)) {
    if (entry.doomed || entry.record.data.type !== 'PTR') continue;
    const target = entry.record.data.target;
    if (nameKey(target) === nameKey(sought)) continue;
    const parts = splitInstance(target);
    if (parts !== undefined) names.add(parts.instance);
  }
  const wanted = splitInstance(sought)?.instance ?? sought;
  return [...names]
    .map((name) => ({ name, distance: editDistance(name, wanted) }))
    .sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name))
    .slice(0, SAME_TYPE_LISTED)
    .map((x) => x.name);
}

/** Every interface of this host, used by mDNS or not, to place an off-link sender. */
function allInterfaces(): MdnsInterface[] {
  return Object.entries(networkInterfaces()).map(([name, infos]) => ({
    name,
    addresses: (infos ?? []).map((i) => ({
      address: i.address,
      netmask: i.netmask,
      family: i.family === 'IPv4' ? (4 as const) : (6 as const),
    })),
  }));
}

function offLinkAnswers(
  engine: MdnsEngine,
  names: readonly string[],
  hostInterfaces: () => MdnsInterface[],
): OffLinkAnswer[] {
  const addresses = new Set(names.flatMap((n) => engine.offLink.answeredFor(n)));
  if (addresses.size === 0) return [];
  const used = new Set(engine.interfaces().map((i) => i.name));
  const host = hostInterfaces().filter((i) => !used.has(i.name));
  return [...addresses].map((address) => {
    const iface = interfaceForSource(host, address);
    return iface === undefined ? { address } : { address, interfaceName: iface.name };
  });
}

/**
 * What the engine saw of `name` (a service instance, or a host with
 * `kind: 'host'`) since `packetsAtStart`. `hostInterfaces` lists every
 * interface of the host, used by mDNS or not (injected by tests).
 */
export function diagnoseLookup(
  engine: MdnsEngine,
  name: string,
  kind: 'service' | 'host',
  packetsAtStart: number,
  waitedMs: number,
  hostInterfaces: () => MdnsInterface[] = allInterfaces,
): LookupDiagnosis {
  const interfaces = engine.interfaces().map((i) => i.name);
  const packetsHeard = engine.packetsHeard - packetsAtStart;
  let srvWithoutAddresses: { hostName: string; port: number } | undefined;
  let missingTxt = false;
  const names = [name];
  let sameType: string[] = [];
  if (kind === 'service') {
    const srv = engine.cache.lookup(name, RRType.SRV).find((e) => !e.doomed)?.record.data;
    if (srv?.type === 'SRV') {
      names.push(srv.target);
      if (cachedAddresses(engine.cache, srv.target).length === 0)
        srvWithoutAddresses = { hostName: srv.target, port: srv.port };
      else missingTxt = engine.cache.lookup(name, RRType.TXT).length === 0;
    }
    const type = splitInstance(name)?.type;
    if (type !== undefined) sameType = sameTypeInstances(engine, type, name);
  }
  const offLink = offLinkAnswers(engine, names, hostInterfaces);
  const facts = {
    name,
    interfaces,
    packetsHeard,
    sameType,
    offLink,
    missingTxt,
    ...(srvWithoutAddresses === undefined ? {} : { srvWithoutAddresses }),
  };
  return { ...facts, summary: summarize(facts, kind, waitedMs) };
}

/** The likeliest reason, in one line. */
function summarize(
  d: Omit<LookupDiagnosis, 'summary'>,
  kind: 'service' | 'host',
  waitedMs: number,
): string {
  const on = d.interfaces.length === 0 ? 'no interface' : d.interfaces.join(', ');
  const seconds = `${Math.round(waitedMs / 100) / 10} s`;
  if (d.interfaces.length === 0) return 'no network interface with multicast to ask on';
  if (d.srvWithoutAddresses !== undefined) {
    const { hostName, port } = d.srvWithoutAddresses;
    return `the SRV answered (host ${JSON.stringify(hostName)}, port ${port}) but ${JSON.stringify(hostName)} never gave its addresses`;
  }
  if (d.missingTxt) return 'SRV and addresses answered, but the TXT record never came';
  const [first] = d.offLink;
  if (first !== undefined) {
    const where =
      first.interfaceName === undefined
        ? 'on none of our links'
        : `on ${first.interfaceName}, an interface mDNS does not use (asked on ${on})`;
    return `it answered from ${first.address}, ${where}: ignored (RFC 6762 §11)`;
  }
  if (d.sameType.length > 0) {
    const listed = d.sameType.map((n) => JSON.stringify(n)).join(', ');
    return `did you mean ${JSON.stringify(d.sameType[0])}? instances of its type that answer: ${listed}`;
  }
  if (d.packetsHeard === 0)
    return `no mDNS packet at all was heard on ${on} in ${seconds}: is multicast blocked (firewall, Local Network privacy) or the peer on another link?`;
  const what = kind === 'service' ? 'nothing of its type answers' : 'nobody answers for it';
  return `${d.packetsHeard} mDNS packet${d.packetsHeard === 1 ? '' : 's'} heard on ${on} in ${seconds}, ${what}`;
}
