/**
 * cfsocketstream: CFNetwork-style socket stream pairs for Node.js. The
 * idiomatic API (classes and camelCase factories) and CF's names side by side.
 */

// For its effect: `.local` host names and the `local.` domain go to multicast DNS.
import './mdns-wiring.js';

export type { ResolvedAddress } from './address.js';
export * from './cf-functions.js';
export * from './constants.js';
export type { LookupDiagnosis, OffLinkAnswer } from './diagnosis.js';
export * from './error-codes.js';
export {
  CFReadStreamSOCKSError,
  CFReadStreamSOCKSErrorSubdomain,
  CFReadStreamSOCKSGetError,
  CFReadStreamSOCKSGetErrorSubdomain,
  CFSocketStreamSOCKSError,
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  type CFStreamError,
  type ErrorLike,
  encodeSOCKSError,
  posixError,
  StreamError,
  toStreamError,
} from './errors.js';
export { Host, type HostInfo } from './host/host.js';
export { isLocalName } from './host/host-resolver.js';
// The engine itself stays internal; its options (interfaces, timings, limits) are public.
export {
  type Clock,
  type MdnsEngineOptions,
  type MdnsLimits,
  type MdnsTimings,
  resetMdnsEngine,
  resolveLocalHostName,
  type Timer,
} from './mdns/index.js';
export * from './netservice/index.js';
export { type PortUse, portProblem } from './port.js';
export { RunLoop, type RunLoopMode } from './runloop.js';
export { describeSOCKS4Status, describeSOCKS5Reply } from './socks/wire.js';
export { toDuplex, toReadable, toWritable } from './stream/node-adapters.js';
export type { ConnectableService, OpenOptions } from './stream/open-pipeline.js';
export { READ_HIGH_WATER_MARK, ReadStream } from './stream/read-stream.js';
export type {
  SocketStream,
  StreamClientCallback,
  StreamEventRecord,
} from './stream/socket-stream.js';
export {
  createPairWithSocket,
  createPairWithSocketToHost,
  createPairWithSocketToNetService,
  StreamPair,
  type StreamPairParts,
} from './stream/stream-pair.js';
export { WRITE_HIGH_WATER_MARK, WriteStream } from './stream/write-stream.js';
export {
  type CertificateInput,
  kAlwaysAuthenticate,
  kCFStreamSSLClientSideAuthenticate,
  kCFStreamSSLTrustedRoots,
  kNeverAuthenticate,
  kTryAuthenticate,
  SSLAuthenticate,
  type SSLIdentity,
} from './tls/index.js';
export {
  configureUnicastDNS,
  parseTsigSpec,
  type TsigAlgorithmName,
  type TsigKeyInput,
  type UnicastDNSOptions,
  type UnicastTimings,
} from './unicast/config.js';
export { DnsRcodeError } from './unicast/unicast-errors.js';
