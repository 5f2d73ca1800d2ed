/**
 * CFNetwork's names and numbers: stream status and events, property keys,
 * SSL settings, security levels and SOCKS keys. Every value is the one
 * CFNetwork's headers give; string keys equal their own names except where
 * CFNetwork shares a key with the system proxy settings.
 */

/** Stream status, as `CFStreamStatus`. */
export const StreamStatus = {
  NotOpen: 0,
  Opening: 1,
  Open: 2,
  Reading: 3,
  Writing: 4,
  AtEnd: 5,
  Closed: 6,
  Error: 7,
} as const;
/** One of the {@link StreamStatus} values. */
export type StreamStatus = (typeof StreamStatus)[keyof typeof StreamStatus];

export const kCFStreamStatusNotOpen = StreamStatus.NotOpen;
export const kCFStreamStatusOpening = StreamStatus.Opening;
export const kCFStreamStatusOpen = StreamStatus.Open;
export const kCFStreamStatusReading = StreamStatus.Reading;
export const kCFStreamStatusWriting = StreamStatus.Writing;
export const kCFStreamStatusAtEnd = StreamStatus.AtEnd;
export const kCFStreamStatusClosed = StreamStatus.Closed;
export const kCFStreamStatusError = StreamStatus.Error;

/** Stream events, a bit mask as `CFStreamEventType`. */
export const StreamEvent = {
  None: 0,
  OpenCompleted: 1,
  HasBytesAvailable: 2,
  CanAcceptBytes: 4,
  ErrorOccurred: 8,
  EndEncountered: 16,
} as const;
/** One of the {@link StreamEvent} bits. */
export type StreamEventType = (typeof StreamEvent)[keyof typeof StreamEvent];
/** Every event bit at once, for `setClient`. */
export const kStreamEventAll = 31;

export const kCFStreamEventNone = StreamEvent.None;
export const kCFStreamEventOpenCompleted = StreamEvent.OpenCompleted;
export const kCFStreamEventHasBytesAvailable = StreamEvent.HasBytesAvailable;
export const kCFStreamEventCanAcceptBytes = StreamEvent.CanAcceptBytes;
export const kCFStreamEventErrorOccurred = StreamEvent.ErrorOccurred;
export const kCFStreamEventEndEncountered = StreamEvent.EndEncountered;

/** Run loop modes. Node runs one loop; modes decide which scheduled streams deliver. */
export const kCFRunLoopDefaultMode = 'kCFRunLoopDefaultMode';
export const kCFRunLoopCommonModes = 'kCFRunLoopCommonModes';

// Socket stream properties.
export const kCFStreamPropertyShouldCloseNativeSocket = 'kCFStreamPropertyShouldCloseNativeSocket';
export const kCFStreamPropertySocketNativeHandle = 'kCFStreamPropertySocketNativeHandle';
export const kCFStreamPropertySocketRemoteHost = 'kCFStreamPropertySocketRemoteHost';
export const kCFStreamPropertySocketRemoteNetService = 'kCFStreamPropertySocketRemoteNetService';
export const kCFStreamPropertySocketSecurityLevel = 'kCFStreamPropertySocketSecurityLevel';
export const kCFStreamPropertySSLSettings = 'kCFStreamPropertySSLSettings';
export const kCFStreamPropertySSLPeerCertificates = 'kCFStreamPropertySSLPeerCertificates';

// Security levels (values of kCFStreamPropertySocketSecurityLevel and kCFStreamSSLLevel).
export const kCFStreamSocketSecurityLevelNone = 'kCFStreamSocketSecurityLevelNone';
export const kCFStreamSocketSecurityLevelSSLv2 = 'kCFStreamSocketSecurityLevelSSLv2';
export const kCFStreamSocketSecurityLevelSSLv3 = 'kCFStreamSocketSecurityLevelSSLv3';
export const kCFStreamSocketSecurityLevelTLSv1 = 'kCFStreamSocketSecurityLevelTLSv1';
export const kCFStreamSocketSecurityLevelNegotiatedSSL =
  'kCFStreamSocketSecurityLevelNegotiatedSSL';
/** Every security level, for validation. */
export const SecurityLevels = [
  kCFStreamSocketSecurityLevelNone,
  kCFStreamSocketSecurityLevelSSLv2,
  kCFStreamSocketSecurityLevelSSLv3,
  kCFStreamSocketSecurityLevelTLSv1,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
] as const;
/** One of the security level strings. */
export type SecurityLevel = (typeof SecurityLevels)[number];

/** The deprecated `CFStreamSocketSecurityProtocol` enum. */
export const SecurityProtocol = { None: 0, SSLv2: 1, SSLv3: 2, SSLv23: 3, TLSv1: 4 } as const;
/** One of the {@link SecurityProtocol} values. */
export type SecurityProtocol = (typeof SecurityProtocol)[keyof typeof SecurityProtocol];
export const kCFStreamSocketSecurityNone = SecurityProtocol.None;
export const kCFStreamSocketSecuritySSLv2 = SecurityProtocol.SSLv2;
export const kCFStreamSocketSecuritySSLv3 = SecurityProtocol.SSLv3;
export const kCFStreamSocketSecuritySSLv23 = SecurityProtocol.SSLv23;
export const kCFStreamSocketSecurityTLSv1 = SecurityProtocol.TLSv1;

// Keys of the kCFStreamPropertySSLSettings dictionary.
export const kCFStreamSSLLevel = 'kCFStreamSSLLevel';
export const kCFStreamSSLAllowsExpiredCertificates = 'kCFStreamSSLAllowsExpiredCertificates';
export const kCFStreamSSLAllowsExpiredRoots = 'kCFStreamSSLAllowsExpiredRoots';
export const kCFStreamSSLAllowsAnyRoot = 'kCFStreamSSLAllowsAnyRoot';
export const kCFStreamSSLValidatesCertificateChain = 'kCFStreamSSLValidatesCertificateChain';
export const kCFStreamSSLPeerName = 'kCFStreamSSLPeerName';
export const kCFStreamSSLCertificates = 'kCFStreamSSLCertificates';
export const kCFStreamSSLIsServer = 'kCFStreamSSLIsServer';

// SOCKS proxy keys. Host and port share their values with the system proxy
// settings so a dictionary from there works unchanged.
export const kCFStreamPropertySOCKSProxy = 'kCFStreamPropertySOCKSProxy';
export const kCFStreamPropertySOCKSProxyHost = 'SOCKSProxy';
export const kCFStreamPropertySOCKSProxyPort = 'SOCKSPort';
export const kCFStreamPropertySOCKSVersion = 'kCFStreamPropertySOCKSVersion';
export const kCFStreamSocketSOCKSVersion4 = 'kCFStreamSocketSOCKSVersion4';
export const kCFStreamSocketSOCKSVersion5 = 'kCFStreamSocketSOCKSVersion5';
export const kCFStreamPropertySOCKSUser = 'kCFStreamPropertySOCKSUser';
export const kCFStreamPropertySOCKSPassword = 'kCFStreamPropertySOCKSPassword';
export const kCFStreamPropertyProxyLocalBypass = 'ExcludeSimpleHostnames';
/** The seed's alternative spelling of {@link kCFStreamPropertyProxyLocalBypass}. */
export const kCFStreamPropertyProxyLocalByPass = kCFStreamPropertyProxyLocalBypass;
