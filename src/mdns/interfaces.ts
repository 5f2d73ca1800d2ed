/**
 * Which network interfaces mDNS runs on (docs/guide/bonjour.md): by default
 * every interface that is up and has the MULTICAST flag, narrowed by the
 * `interface` option or CFSTREAM_INTERFACE (names or addresses, comma
 * separated). Also maps a packet's source address back to its interface, so
 * that answers and learned addresses stay on their own link, and packets from
 * off-link sources are dropped (RFC 6762 §11).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ipv4ToBytes, ipv6ToBytes, isLinkLocalIPv6 } from '../dns/ip-bytes.js';
import { hostPlatform, isSkippedTunnel, type PlatformFacts, scopeId } from './platform.js';

const IFF_UP = 0x1;
const IFF_MULTICAST = 0x1000;

/** An address of an interface. */
export interface InterfaceAddress {
  readonly address: string;
  readonly netmask: string;
  readonly family: 4 | 6;
}

/** An interface mDNS uses. */
export interface MdnsInterface {
  readonly name: string;
  readonly addresses: readonly InterfaceAddress[];
  /** The interface index (an IPv6 link-local address's scope id), when known: Windows scopes by it. */
  readonly index?: number | undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Interface names of this network namespace (/proc/net is per namespace; sysfs may not be). */
function namespaceInterfaces(): Set<string> | undefined {
  const dev = readText('/proc/net/dev');
  if (dev === undefined) return undefined;
  const names = dev
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((n) => n !== '');
  return new Set(names);
}

type NodeInterfaces = ReturnType<typeof networkInterfaces>;

/**
 * How to tell whether an interface is up with MULTICAST: sysfs flags when
 * sysfs belongs to our network namespace; in a namespace that still sees
 * another namespace's sysfs (unshare --net or nsenter without a remount),
 * membership of the all-hosts group in /proc/net/igmp(6), which every up
 * interface has -- loopback too, even without MULTICAST, so there loopback
 * counts only when nothing else does (a loopback-only test namespace);
 * elsewhere (not Linux), any external interface.
 */
function multicastTest(
  infos: NodeInterfaces,
  facts: PlatformFacts,
): (name: string, internal: boolean) => boolean {
  const ours = facts.platform === 'linux' ? namespaceInterfaces() : undefined;
  if (ours === undefined) return (_name, internal) => !internal;
  if (sysfsIsOurs(ours, infos)) {
    return (name) => {
      const flags = Number.parseInt(readText(`/sys/class/net/${name}/flags`)?.trim() ?? '0', 16);
      return (flags & IFF_UP) !== 0 && (flags & IFF_MULTICAST) !== 0;
    };
  }
  const igmp = `${readText('/proc/net/igmp') ?? ''}\n${readText('/proc/net/igmp6') ?? ''}`;
  const listed = new Set(igmp.split(/\s+/));
  const external = Object.entries(infos).some(
    ([name, list]) => listed.has(name) && (list ?? []).some((i) => !i.internal),
  );
  return (name, internal) => ours.has(name) && listed.has(name) && (!internal || !external);
}

/** Same interface names, and the same hardware address for each interface Node reports. */
function sysfsIsOurs(ours: Set<string>, infos: NodeInterfaces): boolean {
  let listed: string[];
  try {
    listed = readdirSync('/sys/class/net');
  } catch {
    return false;
  }
  if (listed.length !== ours.size || !listed.every((n) => ours.has(n))) return false;
  return Object.entries(infos).every(([name, list]) => {
    const mac = list?.[0]?.mac;
    return mac === undefined || readText(`/sys/class/net/${name}/address`)?.trim() === mac;
  });
}

/**
 * The interfaces to use, given the filter (option or environment). Outside
 * Linux, tunnels and point-to-point links (platform.ts) are used only when
 * the filter names them. `facts` and `all` are the platform's, injected by tests.
 */
export function listMulticastInterfaces(
  filter?: string,
  facts: PlatformFacts = hostPlatform,
  all: NodeInterfaces = networkInterfaces(),
): MdnsInterface[] {
  const wanted = filter
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: MdnsInterface[] = [];
  const isMulticast = multicastTest(all, facts);
  for (const [name, infos] of Object.entries(all)) {
    if (!infos || infos.length === 0) continue;
    if (isSkippedTunnel(name, facts) && !wanted?.includes(name)) continue;
    if (
      !isMulticast(
        name,
        infos.every((i) => i.internal),
      )
    )
      continue;
    const addresses = infos.map(
      (i): InterfaceAddress => ({
        address: i.address,
        netmask: i.netmask,
        family: i.family === 'IPv4' ? 4 : 6,
      }),
    );
    if (
      wanted &&
      !wanted.some((w) => w === name || addresses.some((a) => a.address === w.split('%')[0]))
    )
      continue;
    // Every IPv6 address but a global one carries the interface index as its scope id.
    const index = infos.find((i) => i.family === 'IPv6' && (i.scopeid ?? 0) > 0)?.scopeid;
    out.push(index === undefined ? { name, addresses } : { name, addresses, index });
  }
  return out;
}

function sameSubnet(a: Buffer, b: Buffer, mask: Buffer): boolean {
  for (let i = 0; i < mask.length; i++) {
    if (((a[i] ?? 0) & (mask[i] ?? 0)) !== ((b[i] ?? 0) & (mask[i] ?? 0))) return false;
  }
  return true;
}

/**
 * The interface whose link `source` is on: one with an address whose subnet
 * holds it, or for link-local IPv6 the interface its `%scope` names (Linux
 * reports fe80::x%eth0). Undefined for an off-link source (RFC 6762 §11):
 * with no IP_PKTINFO in node:dgram the arrival interface is unknown, so the
 * test is "on the subnet of one of our interfaces", not of the arrival one.
 */
export function interfaceForSource(
  interfaces: readonly MdnsInterface[],
  source: string,
): MdnsInterface | undefined {
  const [bare = '', scope] = source.split('%');
  const family = isIPv4(bare) ? 4 : isIPv6(bare) ? 6 : undefined;
  if (family === undefined) return undefined;
  if (family === 6 && isLinkLocalIPv6(bare) && scope !== undefined) {
    // A link-local source never crosses a router: its scope is the link it came from, by name
    // (Linux, macOS) or by index (Windows).
    const byScope = /^\d+$/.test(scope)
      ? interfaces.find((i) => i.index === Number(scope))
      : interfaces.find((i) => i.name === scope);
    if (byScope !== undefined || !/^\d+$/.test(scope)) return byScope;
  }
  const bytes = family === 4 ? ipv4ToBytes(bare) : ipv6ToBytes(bare);
  for (const iface of interfaces) {
    for (const a of iface.addresses) {
      if (a.family !== family) continue;
      if (family === 6 && isLinkLocalIPv6(bare) !== isLinkLocalIPv6(a.address)) continue;
      const mine = family === 4 ? ipv4ToBytes(a.address) : ipv6ToBytes(a.address);
      const mask = family === 4 ? ipv4ToBytes(a.netmask) : ipv6ToBytes(a.netmask);
      if (sameSubnet(bytes, mine, mask)) return iface;
    }
  }
  return undefined;
}

/** Where an on-link packet came from: its address (link-local IPv6 scoped) and interface. */
export interface OnLinkSource {
  readonly address: string;
  readonly interfaceName: string;
}

/**
 * The on-link form of a datagram's source address, or undefined when it is
 * off-link: such a packet is neither answered nor cached (RFC 6762 §11).
 */
export function onLinkSource(
  interfaces: readonly MdnsInterface[],
  source: string,
  facts: PlatformFacts = hostPlatform,
): OnLinkSource | undefined {
  const iface = interfaceForSource(interfaces, source);
  if (iface === undefined) return undefined;
  const scoped =
    !source.includes('%') && isLinkLocalIPv6(source)
      ? `${source}%${scopeId(iface, facts)}`
      : source;
  return { address: scoped, interfaceName: iface.name };
}

/** Sources remembered: a few peers send most packets; a flood of new addresses only cycles this. */
const MAX_ORIGINS = 256;

/**
 * onLinkSource, remembered for each recent source while the interface list
 * stays the same (the same array: the transport replaces it on a change).
 * Every received packet asks, and parsing the addresses was a visible share
 * of a busy responder's CPU.
 */
export class OriginMemo {
  #for: readonly MdnsInterface[] | undefined;
  readonly #origins = new Map<string, OnLinkSource | null>();

  /** onLinkSource(interfaces, source). */
  lookup(interfaces: readonly MdnsInterface[], source: string): OnLinkSource | undefined {
    if (this.#for !== interfaces) {
      this.#origins.clear();
      this.#for = interfaces;
    }
    let origin = this.#origins.get(source);
    if (origin === undefined) {
      origin = onLinkSource(interfaces, source) ?? null;
      if (this.#origins.size >= MAX_ORIGINS) this.#origins.clear();
      this.#origins.set(source, origin);
    }
    return origin ?? undefined;
  }
}
