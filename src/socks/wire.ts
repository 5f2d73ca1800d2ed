/**
 * Wire values of SOCKS4 (the NEC protocol note and its 4a extension),
 * SOCKS5 (RFC 1928) and SOCKS5 username/password authentication (RFC 1929),
 * with the meaning of every reply code for error messages.
 */

/** Version bytes: the first byte of each request and reply. */
export const SOCKSVersionByte = {
  /** VN of a SOCKS4 request. */
  SOCKS4Request: 0x04,
  /** VN of a SOCKS4 reply: the protocol note says "the version of the reply code and should be 0". */
  SOCKS4Reply: 0x00,
  /** VER of every SOCKS5 message (RFC 1928 §3, §4, §6). */
  SOCKS5: 0x05,
  /** VER of the username/password subnegotiation (RFC 1929 §2). */
  UserPass: 0x01,
} as const;

/** SOCKS5 authentication methods (RFC 1928 §3). */
export const SOCKS5Method = {
  NoAuthentication: 0x00,
  GSSAPI: 0x01,
  UsernamePassword: 0x02,
  NoAcceptableMethods: 0xff,
} as const;

/** Commands: CONNECT is the only one a stream needs (RFC 1928 §4, SOCKS4 CD). */
export const SOCKSCommand = {
  Connect: 0x01,
  Bind: 0x02,
  UDPAssociate: 0x03,
} as const;

/** SOCKS5 address types (RFC 1928 §5). */
export const SOCKS5AddressType = {
  IPv4: 0x01,
  DomainName: 0x03,
  IPv6: 0x04,
} as const;

/** SOCKS5 reply codes (RFC 1928 §6); X'09' to X'FF' are unassigned. */
export const SOCKS5Reply = {
  Succeeded: 0x00,
  GeneralFailure: 0x01,
  ConnectionNotAllowed: 0x02,
  NetworkUnreachable: 0x03,
  HostUnreachable: 0x04,
  ConnectionRefused: 0x05,
  TTLExpired: 0x06,
  CommandNotSupported: 0x07,
  AddressTypeNotSupported: 0x08,
} as const;

/** SOCKS4 reply statuses (CD of the reply). */
export const SOCKS4Status = {
  Granted: 90,
  RequestFailed: 91,
  IdentdFailed: 92,
  IdConflict: 93,
} as const;

/** RFC 1929 §2: status X'00' is success; any other value is a failure. */
export const UserPassStatus = {
  Success: 0x00,
} as const;

/** Field sizes that bound what can be sent. */
export const SOCKSLimits = {
  /** RFC 1928 §5 DOMAINNAME and RFC 1929 §2 UNAME/PASSWD carry a one-byte length. */
  maxNameBytes: 255,
  /** SOCKS4 USERID is NUL-terminated; this library caps it as CFNetwork does. */
  maxSOCKS4UserBytes: 512,
} as const;

/**
 * SOCKS4a: DSTIP 0.0.0.x with x nonzero tells the proxy that the host name
 * follows the user id. 0.0.0.1 is what every 4a client sends.
 */
export const SOCKS4aMarkerAddress = [0, 0, 0, 1] as const;

const socks5ReplyMeanings: Readonly<Record<number, string>> = Object.freeze({
  [SOCKS5Reply.Succeeded]: 'succeeded',
  [SOCKS5Reply.GeneralFailure]: 'general SOCKS server failure',
  [SOCKS5Reply.ConnectionNotAllowed]: 'connection not allowed by ruleset',
  [SOCKS5Reply.NetworkUnreachable]: 'network unreachable',
  [SOCKS5Reply.HostUnreachable]: 'host unreachable',
  [SOCKS5Reply.ConnectionRefused]: 'connection refused',
  [SOCKS5Reply.TTLExpired]: 'TTL expired',
  [SOCKS5Reply.CommandNotSupported]: 'command not supported',
  [SOCKS5Reply.AddressTypeNotSupported]: 'address type not supported',
});

const socks4StatusMeanings: Readonly<Record<number, string>> = Object.freeze({
  [SOCKS4Status.Granted]: 'request granted',
  [SOCKS4Status.RequestFailed]: 'request rejected or failed',
  [SOCKS4Status.IdentdFailed]:
    'request rejected because the proxy cannot reach identd on the client',
  [SOCKS4Status.IdConflict]: 'request rejected because identd reports a different user id',
});

const socks5MethodNames: Readonly<Record<number, string>> = Object.freeze({
  [SOCKS5Method.NoAuthentication]: 'no authentication',
  [SOCKS5Method.GSSAPI]: 'GSSAPI',
  [SOCKS5Method.UsernamePassword]: 'username/password',
  [SOCKS5Method.NoAcceptableMethods]: 'no acceptable methods',
});

/** The meaning of a SOCKS5 reply code, "unassigned" included (RFC 1928 §6). */
export function describeSOCKS5Reply(code: number): string {
  return socks5ReplyMeanings[code] ?? `unassigned reply code 0x${hex(code)}`;
}

/** The meaning of a SOCKS4 reply status. */
export function describeSOCKS4Status(status: number): string {
  return socks4StatusMeanings[status] ?? `unknown status ${status}`;
}

/** The name of a SOCKS5 method (RFC 1928 §3: X'03'-X'7F' IANA, X'80'-X'FE' private). */
export function describeSOCKS5Method(method: number): string {
  const known = socks5MethodNames[method];
  if (known !== undefined) return known;
  return method >= 0x80 ? `private method 0x${hex(method)}` : `method 0x${hex(method)}`;
}

/** The meaning of an RFC 1929 status byte. */
export function describeUserPassStatus(status: number): string {
  return status === UserPassStatus.Success
    ? 'success'
    : `authentication failed (status 0x${hex(status)})`;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
