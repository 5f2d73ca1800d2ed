/**
 * The MTU of a link, and the payload an mDNS datagram may carry on it
 * (RFC 6762 §17). Node does not report MTUs; on Linux sysfs does
 * (/sys/class/net/<name>/mtu). That platform fact stays behind `MtuReader`
 * so that the rest of the engine, and tests, can give any answer.
 */
import { readFileSync } from 'node:fs';

/** RFC 6762 §17: no mDNS datagram, IP and UDP headers included, exceeds 9000 bytes. */
export const MAX_MDNS_PACKET = 9000;
/**
 * The IPv6 header (40) and the UDP header (8). One encoding goes out over
 * both families, so the larger header decides; IPv4 packets end 20 bytes short.
 */
export const IP_UDP_HEADERS = 48;
/** The MTU assumed where none can be read: Ethernet's, which §17 asks us to stay under when we can. */
export const ASSUMED_MTU = 1500;

/** Reads a link's MTU by interface name; undefined when it cannot be known. */
export type MtuReader = (interfaceName: string) => number | undefined;

/** How many bytes of DNS message one datagram may carry. */
export interface PayloadLimits {
  /** Packets stay within the link MTU (at most 9000 bytes), less IP and UDP headers. */
  readonly normal: number;
  /**
   * §17: a single record too large for an MTU-sized packet goes alone in a
   * fragmented datagram, which still may not exceed 9000 bytes with headers.
   */
  readonly lone: number;
}

/** The limits for a link of MTU `mtu` (undefined: unknown, Ethernet assumed). */
export function payloadLimits(mtu: number | undefined): PayloadLimits {
  const lone = MAX_MDNS_PACKET - IP_UDP_HEADERS;
  const link = Math.min(mtu ?? ASSUMED_MTU, MAX_MDNS_PACKET) - IP_UDP_HEADERS;
  return { normal: Math.max(0, link), lone };
}

/**
 * The Linux reader: sysfs holds each interface's MTU. Elsewhere (or for a
 * name sysfs does not list) the MTU is unknown. `read` is the seam tests
 * replace to take either branch on any platform.
 */
export function sysfsMtuReader(
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): MtuReader {
  return (interfaceName) => {
    // A name is one path component; anything else is not an interface of ours.
    if (!/^[^/\0]+$/.test(interfaceName) || interfaceName === '.' || interfaceName === '..')
      return undefined;
    let text: string;
    try {
      text = read(`/sys/class/net/${interfaceName}/mtu`);
    } catch {
      return undefined;
    }
    const mtu = Number(text.trim());
    // IPv4's minimum MTU is 68 (RFC 791); a value below it, or no number at all, is no answer.
    return Number.isInteger(mtu) && mtu >= 68 ? mtu : undefined;
  };
}

/** The reader the engine uses by default. */
export const linkMtu: MtuReader = sysfsMtuReader();
