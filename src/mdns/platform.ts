/**
 * The platform facts mDNS depends on, behind one seam so that every branch
 * is tested on Linux by injecting them: how a link-local IPv6 address names
 * its interface, which interfaces are tunnels, and what to tell the user
 * when the system refuses our multicast.
 */

/** What mDNS needs to know of the platform. */
export interface PlatformFacts {
  /** `process.platform`. */
  readonly platform: NodeJS.Platform;
}

/** The facts of the running process. */
export const hostPlatform: PlatformFacts = { platform: process.platform };

/** An interface as far as scoping is concerned: its name and, when known, its index. */
export interface ScopedInterface {
  readonly name: string;
  readonly index?: number | undefined;
}

/**
 * The `%scope` of a link-local IPv6 address on `iface`: Windows takes only
 * the interface index ("fe80::1%12"); Linux and macOS take the name
 * ("fe80::1%eth0"), which stays right when indexes are reused.
 */
export function scopeId(iface: ScopedInterface, facts: PlatformFacts = hostPlatform): string {
  return facts.platform === 'win32' && iface.index !== undefined ? String(iface.index) : iface.name;
}

/**
 * Point-to-point and tunnel interfaces of macOS and the BSDs (utun, tun, tap,
 * ppp, ipsec, gif, stf) and Apple's peer-to-peer Wi-Fi (awdl, llw): no
 * multicast link to find services on, and awdl/llw carry Apple's own
 * discovery. Linux says so through the MULTICAST flag in sysfs instead.
 */
const TUNNEL_NAME = /^(?:utun|tun|tap|ppp|ipsec|gif|stf|awdl|llw)\d*$/;

/** True when `name` is a tunnel or point-to-point interface that mDNS skips unless asked for. */
export function isSkippedTunnel(name: string, facts: PlatformFacts = hostPlatform): boolean {
  return facts.platform !== 'linux' && TUNNEL_NAME.test(name);
}

/** Errors of a multicast send that mean the system will not let it out (not a passing fault). */
export const BLOCKED_SEND_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'EPERM', 'EACCES']);

/** What to tell the user when multicast sends fail with `code`. */
export function blockedSendHint(code: string, facts: PlatformFacts = hostPlatform): string {
  if (facts.platform === 'darwin' && (code === 'EHOSTUNREACH' || code === 'EPERM'))
    return 'macOS Local Network privacy: allow this app (or the terminal running it) in System Settings > Privacy & Security > Local Network';
  if (facts.platform === 'win32')
    return 'Windows Defender Firewall (or another) blocks multicast to 224.0.0.251 / ff02::fb port 5353: allow UDP 5353 for node';
  if (code === 'EHOSTUNREACH')
    return 'no route for multicast: the interface has no multicast route (or is down)';
  return 'a firewall refuses multicast to 224.0.0.251 / ff02::fb port 5353 (nftables, iptables, a sandbox)';
}
