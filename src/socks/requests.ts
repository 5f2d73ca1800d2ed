/**
 * Encoders for the requests a SOCKS client sends: the SOCKS5 method greeting
 * and CONNECT request (RFC 1928), the username/password request (RFC 1929)
 * and the SOCKS4 / SOCKS4a CONNECT request. Callers check lengths first
 * (proxy-settings.ts, destination.ts); the encoders assert them again so that
 * a value that slipped through can never be truncated onto the wire.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { checkPort } from '../port.js';
import {
  SOCKS4aMarkerAddress,
  SOCKS5AddressType,
  SOCKSCommand,
  SOCKSLimits,
  SOCKSVersionByte,
} from './wire.js';

/** RFC 1928 §3: VER, NMETHODS, METHODS (1 to 255 of them). */
export function encodeSOCKS5Greeting(methods: readonly number[]): Buffer {
  if (methods.length < 1 || methods.length > 255)
    throw new RangeError('a SOCKS5 greeting offers 1 to 255 methods');
  return Buffer.from([SOCKSVersionByte.SOCKS5, methods.length, ...methods]);
}

/** RFC 1929 §2: VER X'01', ULEN, UNAME, PLEN, PASSWD (lengths 1-255, PLEN 0 accepted). */
export function encodeUserPassRequest(user: string, password: string): Buffer {
  const name = Buffer.from(user, 'utf8');
  const secret = Buffer.from(password, 'utf8');
  // The message names the field only: the values are credentials.
  if (name.length < 1 || name.length > SOCKSLimits.maxNameBytes)
    throw new RangeError('SOCKS user name must be 1 to 255 UTF-8 bytes');
  if (secret.length > SOCKSLimits.maxNameBytes)
    throw new RangeError('SOCKS password must be at most 255 UTF-8 bytes');
  return Buffer.concat([
    Buffer.from([SOCKSVersionByte.UserPass, name.length]),
    name,
    Buffer.from([secret.length]),
    secret,
  ]);
}

/**
 * RFC 1928 §4: VER, CMD CONNECT, RSV X'00', ATYP, DST.ADDR, DST.PORT.
 * Literal addresses go as IPv4 (X'01') or IPv6 (X'04'); anything else is a
 * DOMAINNAME (X'03') for the proxy to resolve (§5).
 */
export function encodeSOCKS5Connect(host: string, port: number): Buffer {
  return Buffer.concat([
    Buffer.from([SOCKSVersionByte.SOCKS5, SOCKSCommand.Connect, 0x00]),
    encodeSOCKS5Address(host),
    encodePort(port),
  ]);
}

/** RFC 1928 §5: ATYP followed by the address in its form. */
export function encodeSOCKS5Address(host: string): Buffer {
  if (isIPv4(host)) return Buffer.concat([Buffer.from([SOCKS5AddressType.IPv4]), ipv4Bytes(host)]);
  if (isIPv6(host)) return Buffer.concat([Buffer.from([SOCKS5AddressType.IPv6]), ipv6Bytes(host)]);
  const name = Buffer.from(host, 'utf8');
  if (name.length < 1 || name.length > SOCKSLimits.maxNameBytes) {
    throw new RangeError(
      `SOCKS5 destination name must be 1 to 255 UTF-8 bytes, not ${name.length}`,
    );
  }
  return Buffer.concat([Buffer.from([SOCKS5AddressType.DomainName, name.length]), name]);
}

/** SOCKS4: VN 4, CD CONNECT, DSTPORT, DSTIP, USERID, NUL. */
export function encodeSOCKS4Connect(ipv4: string, port: number, userId: string): Buffer {
  if (!isIPv4(ipv4)) throw new TypeError('SOCKS4 needs an IPv4 destination address');
  return Buffer.concat([
    Buffer.from([SOCKSVersionByte.SOCKS4Request, SOCKSCommand.Connect]),
    encodePort(port),
    ipv4Bytes(ipv4),
    encodeNulTerminated(userId, SOCKSLimits.maxSOCKS4UserBytes, 'SOCKS4 user id'),
  ]);
}

/** SOCKS4a: as SOCKS4 with DSTIP 0.0.0.1, then the host name and NUL after the user id. */
export function encodeSOCKS4aConnect(host: string, port: number, userId: string): Buffer {
  return Buffer.concat([
    Buffer.from([SOCKSVersionByte.SOCKS4Request, SOCKSCommand.Connect]),
    encodePort(port),
    Buffer.from(SOCKS4aMarkerAddress),
    encodeNulTerminated(userId, SOCKSLimits.maxSOCKS4UserBytes, 'SOCKS4 user id'),
    encodeNulTerminated(host, SOCKSLimits.maxNameBytes, 'SOCKS4a destination name'),
  ]);
}

/** Network byte order, as both protocols carry ports. */
function encodePort(port: number): Buffer {
  checkPort(port, 'connect', 'the destination port');
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(port, 0);
  return bytes;
}

function encodeNulTerminated(text: string, maxBytes: number, what: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  // A NUL inside would end the field early and let the rest be read as another field.
  if (bytes.includes(0)) throw new RangeError(`${what} must not contain NUL`);
  if (bytes.length > maxBytes)
    throw new RangeError(`${what} must be at most ${maxBytes} UTF-8 bytes`);
  return Buffer.concat([bytes, Buffer.from([0])]);
}

/** The four bytes of a dotted-quad IPv4 address. */
export function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map((part) => Number.parseInt(part, 10)));
}

/**
 * The sixteen bytes of an IPv6 address (RFC 4291 §2.2 text forms: `::`
 * compression and a trailing dotted quad). A zone index (`%eth0`) has no
 * place on the SOCKS wire and is dropped.
 */
export function ipv6Bytes(address: string): Buffer {
  const text = address.split('%', 1)[0] ?? '';
  const groups = (half: string): number[] => {
    if (half === '') return [];
    const out: number[] = [];
    for (const part of half.split(':')) {
      if (part.includes('.')) {
        const v4 = ipv4Bytes(part);
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        out.push(Number.parseInt(part, 16));
      }
    }
    return out;
  };
  const gap = text.indexOf('::');
  const head = groups(gap === -1 ? text : text.slice(0, gap));
  const tail = gap === -1 ? [] : groups(text.slice(gap + 2));
  const zeros = new Array<number>(8 - head.length - tail.length).fill(0);
  const bytes = Buffer.alloc(16);
  [...head, ...zeros, ...tail].forEach((group, i) => {
    bytes.writeUInt16BE(group, i * 2);
  });
  return bytes;
}
