/**
 * Browse domains (RFC 6763 §11): ask for the PTR records of `b`, `db` and
 * `lb._dns-sd._udp` under each of the system's search domains and under the
 * reverse-mapping domain of each local subnet (IPv4 in in-addr.arpa, IPv6 in
 * ip6.arpa, RFC 3596 §2.5); the targets are domains
 * worth browsing. A name the server does not know, or a server that does not
 * answer, just contributes nothing.
 */
import { readFileSync } from 'node:fs';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { ipv6ToBytes, isLinkLocalIPv6 } from '../dns/ip-bytes.js';
import { RRType } from '../dns/wire-types.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { lookup } from './dns-client.js';

/** The three browse-domain queries of §11 (registration domains `r`/`dr` are not for browsing). */
const BROWSE_LABELS = ['b', 'db', 'lb'] as const;

/** The `search` and `domain` lines of /etc/resolv.conf (resolv.conf(5)). */
export function systemSearchDomains(text = readResolvConf()): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    if (keyword === 'search' || keyword === 'domain')
      out.push(...rest.filter((d) => d !== '' && d !== '.'));
  }
  return [...new Set(out.map((d) => d.replace(/\.$/, '')))];
}

function readResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/**
 * §11: the reverse-mapping name of each local subnet, its address with the
 * host bits cleared: "0.1.168.192.in-addr.arpa" for 192.168.1.x/24, and for
 * IPv6 all 32 nibbles of the prefix in ip6.arpa, lowest first (RFC 3596
 * §2.5). Link-local IPv6 (fe80::/10) is left out: the same prefix is on every
 * link, so its reverse domain names no network of ours.
 */
export function subnetReverseDomains(interfaces = networkInterfaces()): string[] {
  const out = new Set<string>();
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      const name = entry.family === 'IPv4' ? reverseV4(entry) : reverseV6(entry);
      if (name !== undefined) out.add(name);
    }
  }
  return [...out];
}

function reverseV4(entry: NetworkInterfaceInfo): string {
  const address = entry.address.split('.').map(Number);
  const mask = entry.netmask.split('.').map(Number);
  const network = address.map((byte, i) => byte & (mask[i] ?? 0));
  return `${network.reverse().join('.')}.in-addr.arpa`;
}

function reverseV6(entry: NetworkInterfaceInfo): string | undefined {
  if (isLinkLocalIPv6(entry.address)) return undefined;
  let address: Buffer;
  let mask: Buffer;
  try {
    address = ipv6ToBytes(entry.address);
    mask = ipv6ToBytes(entry.netmask);
  } catch {
    return undefined;
  }
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) {
    const byte = (address[i] ?? 0) & (mask[i] ?? 0);
    nibbles.push((byte & 0x0f).toString(16), (byte >> 4).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** The browse domains found under `bases` (default: search domains and subnet reverse domains), with final dots. */
export async function findBrowseDomains(options: {
  signal: AbortSignal;
  bases?: readonly string[];
  config?: UnicastConfig;
}): Promise<string[]> {
  const config = options.config ?? unicastConfig();
  const bases = options.bases ??
    config.searchDomains ?? [...systemSearchDomains(), ...subnetReverseDomains()];
  const deadline = Date.now() + config.timings.resolveTimeoutMs;
  const answers = await Promise.all(
    bases.flatMap((base) =>
      BROWSE_LABELS.map((label) =>
        lookup(`${label}._dns-sd._udp.${base.replace(/\.$/, '')}`, RRType.PTR, {
          signal: options.signal,
          deadline,
          config,
        }).catch(() => undefined),
      ),
    ),
  );
  const found = new Map<string, string>();
  for (const answer of answers) {
    if (answer?.kind !== 'records') continue;
    for (const r of answer.records)
      if (r.data.type === 'PTR' && r.data.target !== '')
        found.set(r.data.target.toLowerCase(), `${r.data.target}.`);
  }
  return [...found.values()];
}
