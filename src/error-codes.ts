/**
 * The code tables of CFNetwork's error domains: domain numbers, SecureTransport
 * SSL codes, NetServices codes, getaddrinfo (NetDB) codes and the SOCKS
 * subdomains. {@link StreamError} in errors.ts carries one domain and code.
 */

/** Error domains, as `CFStreamErrorDomain` plus CFNetwork's socket-stream domains. */
export const ErrorDomain = {
  Custom: -1,
  POSIX: 1,
  MacOSStatus: 2,
  SSL: 3,
  HTTP: 4,
  SOCKS: 5,
  FTP: 6,
  NetServices: 10,
  Mach: 11,
  NetDB: 12,
  SystemConfiguration: 13,
  /**
   * CFNetwork defines WinSock on Windows only and publishes no number for it;
   * 14 is this library's choice (the first number after SystemConfiguration).
   * Nothing on this platform reports it.
   */
  WinSock: 14,
} as const;
/** One of the {@link ErrorDomain} numbers. */
export type ErrorDomain = (typeof ErrorDomain)[keyof typeof ErrorDomain];

export const kCFStreamErrorDomainCustom = ErrorDomain.Custom;
export const kCFStreamErrorDomainPOSIX = ErrorDomain.POSIX;
export const kCFStreamErrorDomainMacOSStatus = ErrorDomain.MacOSStatus;
export const kCFStreamErrorDomainSSL = ErrorDomain.SSL;
export const kCFStreamErrorDomainHTTP = ErrorDomain.HTTP;
export const kCFStreamErrorDomainSOCKS = ErrorDomain.SOCKS;
export const kCFStreamErrorDomainFTP = ErrorDomain.FTP;
export const kCFStreamErrorDomainNetServices = ErrorDomain.NetServices;
export const kCFStreamErrorDomainMach = ErrorDomain.Mach;
export const kCFStreamErrorDomainNetDB = ErrorDomain.NetDB;
export const kCFStreamErrorDomainSystemConfiguration = ErrorDomain.SystemConfiguration;
export const kCFStreamErrorDomainWinSock = ErrorDomain.WinSock;

/** The name of a domain number, for messages ("POSIX", "SSL", ...). */
export function domainName(domain: number): string {
  for (const [name, value] of Object.entries(ErrorDomain)) if (value === domain) return name;
  return `domain ${domain}`;
}

/** SecureTransport result codes used in the SSL domain. */
export const SSLError = {
  errSSLProtocol: -9800,
  errSSLNegotiation: -9801,
  errSSLFatalAlert: -9802,
  errSSLClosedGraceful: -9805,
  errSSLClosedAbort: -9806,
  errSSLXCertChainInvalid: -9807,
  errSSLBadCert: -9808,
  errSSLUnknownRootCert: -9812,
  errSSLNoRootCert: -9813,
  errSSLCertExpired: -9814,
  errSSLCertNotYetValid: -9815,
  errSSLPeerHandshakeFail: -9824,
  errSSLPeerBadCert: -9825,
  errSSLPeerProtocolVersion: -9836,
  errSSLHostNameMismatch: -9843,
} as const;
export const errSSLProtocol = SSLError.errSSLProtocol;
export const errSSLClosedAbort = SSLError.errSSLClosedAbort;
export const errSSLXCertChainInvalid = SSLError.errSSLXCertChainInvalid;
export const errSSLUnknownRootCert = SSLError.errSSLUnknownRootCert;
export const errSSLNoRootCert = SSLError.errSSLNoRootCert;
export const errSSLCertExpired = SSLError.errSSLCertExpired;
export const errSSLCertNotYetValid = SSLError.errSSLCertNotYetValid;
export const errSSLPeerProtocolVersion = SSLError.errSSLPeerProtocolVersion;
export const errSSLHostNameMismatch = SSLError.errSSLHostNameMismatch;

/** `CFNetServicesError` codes (domain NetServices, 10). */
export const NetServicesError = {
  Unknown: -72000,
  Collision: -72001,
  NotFound: -72002,
  InProgress: -72003,
  BadArgument: -72004,
  Cancel: -72005,
  Invalid: -72006,
  Timeout: -72007,
} as const;
export const kCFNetServicesErrorUnknown = NetServicesError.Unknown;
export const kCFNetServicesErrorCollision = NetServicesError.Collision;
export const kCFNetServicesErrorNotFound = NetServicesError.NotFound;
export const kCFNetServicesErrorInProgress = NetServicesError.InProgress;
export const kCFNetServicesErrorBadArgument = NetServicesError.BadArgument;
export const kCFNetServicesErrorCancel = NetServicesError.Cancel;
export const kCFNetServicesErrorInvalid = NetServicesError.Invalid;
export const kCFNetServicesErrorTimeout = NetServicesError.Timeout;

/**
 * getaddrinfo's EAI_* codes for the NetDB domain. CFNetwork reports the values
 * of Apple's <netdb.h>; they are used on every platform so that code written
 * for CF compares against the same numbers.
 */
export const NetDBError = {
  EAI_ADDRFAMILY: 1,
  EAI_AGAIN: 2,
  EAI_BADFLAGS: 3,
  EAI_FAIL: 4,
  EAI_FAMILY: 5,
  EAI_MEMORY: 6,
  EAI_NODATA: 7,
  EAI_NONAME: 8,
  EAI_SERVICE: 9,
  EAI_SOCKTYPE: 10,
  EAI_SYSTEM: 11,
  EAI_BADHINTS: 12,
  EAI_PROTOCOL: 13,
  EAI_OVERFLOW: 14,
} as const;

/** SOCKS error subdomains: the high 16 bits of a SOCKS-domain error. */
export const SOCKSSubdomain = {
  None: 0,
  VersionCode: 1,
  SOCKS4Response: 2,
  SOCKS5UserPass: 3,
  SOCKS5Method: 4,
  SOCKS5Response: 5,
} as const;
export const kCFStreamErrorSOCKSSubDomainNone = SOCKSSubdomain.None;
export const kCFStreamErrorSOCKSSubDomainVersionCode = SOCKSSubdomain.VersionCode;
export const kCFStreamErrorSOCKS4SubDomainResponse = SOCKSSubdomain.SOCKS4Response;
export const kCFStreamErrorSOCKS5SubDomainUserPass = SOCKSSubdomain.SOCKS5UserPass;
export const kCFStreamErrorSOCKS5SubDomainMethod = SOCKSSubdomain.SOCKS5Method;
export const kCFStreamErrorSOCKS5SubDomainResponse = SOCKSSubdomain.SOCKS5Response;

/** SOCKS codes of subdomain None, and the server statuses CF names. */
export const SOCKSError = {
  BadResponseAddr: 1,
  BadState: 2,
  UnknownClientVersion: 3,
  SOCKS4RequestFailed: 91,
  SOCKS4IdentdFailed: 92,
  SOCKS4IdConflict: 93,
  SOCKS5NoAcceptableMethod: 0xff,
} as const;
export const kCFStreamErrorSOCKS5BadResponseAddr = SOCKSError.BadResponseAddr;
export const kCFStreamErrorSOCKS5BadState = SOCKSError.BadState;
export const kCFStreamErrorSOCKSUnknownClientVersion = SOCKSError.UnknownClientVersion;
export const kCFStreamErrorSOCKS4RequestFailed = SOCKSError.SOCKS4RequestFailed;
export const kCFStreamErrorSOCKS4IdentdFailed = SOCKSError.SOCKS4IdentdFailed;
export const kCFStreamErrorSOCKS4IdConflict = SOCKSError.SOCKS4IdConflict;
export const kSOCKS5NoAcceptableMethod = SOCKSError.SOCKS5NoAcceptableMethod;
