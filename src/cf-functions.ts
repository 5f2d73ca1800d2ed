/**
 * The CF function surface as thin aliases over the classes, for code written
 * against CFNetwork. `alloc` is accepted and ignored. Where CF answers a bad
 * property with `false`, so do these (the methods throw a TypeError instead).
 */
import {
  kCFStreamPropertySocketSecurityLevel,
  type SecurityProtocol,
  StreamStatus,
} from './constants.js';
import type { CFStreamError, StreamError } from './errors.js';
import { Host } from './host/host.js';
import { NetService } from './netservice/net-service.js';
import { RunLoop, type RunLoopMode } from './runloop.js';
import type { ConnectableService } from './stream/open-pipeline.js';
import type { ReadStream } from './stream/read-stream.js';
import type { StreamClientCallback } from './stream/socket-stream.js';
import {
  createParts,
  hostTarget,
  type StreamPairParts,
  serviceTarget,
} from './stream/stream-pair.js';
import type { WriteStream } from './stream/write-stream.js';
import { securityLevelForProtocol } from './tls/index.js';

/** CFAllocatorRef: accepted and ignored. */
export type CFAllocator = unknown;
/** CF's default allocator, for code that passes one. */
export const kCFAllocatorDefault: CFAllocator = null;

// Passing exactly null for a side asks CF to create only the other one.
const sides = (readStream: unknown, writeStream: unknown) => ({
  readStream: readStream !== null,
  writeStream: writeStream !== null,
});

/** CFHostCreateWithName. */
export function CFHostCreateWithName(_alloc: CFAllocator, hostname: string): Host {
  return Host.withName(hostname);
}
/** CFHostCreateWithAddress: `address` is a literal IPv4 or IPv6 address. */
export function CFHostCreateWithAddress(_alloc: CFAllocator, address: string): Host {
  return Host.withAddress(address);
}

/** CFNetServiceCreate: a service by domain, type and name (port only when publishing). */
export function CFNetServiceCreate(
  _alloc: CFAllocator,
  domain: string,
  serviceType: string,
  name: string,
  port?: number,
): NetService {
  return new NetService(domain, serviceType, name, port);
}

/**
 * CFNetServiceSetTXTData: replaces a published service's TXT (RDATA bytes, as
 * CFNetServiceCreateTXTDataWithDictionary makes them) and announces it; false
 * when the service is not published or the data is refused, as in CF
 * (NetService#setTXTData throws the reason instead).
 */
export function CFNetServiceSetTXTData(service: NetService, txtRecord: Uint8Array): boolean {
  try {
    service.setTXTData(txtRecord);
    return true;
  } catch {
    return false;
  }
}

/** CFStreamCreatePairWithSocketToCFHost; pass null for `readStream` or `writeStream` to create only the other. */
export function CFStreamCreatePairWithSocketToCFHost(
  _alloc: CFAllocator,
  host: Host | string,
  port: number,
  readStream?: null | undefined | object,
  writeStream?: null | undefined | object,
): StreamPairParts {
  return createParts(hostTarget(host, port), sides(readStream, writeStream));
}

/** CFStreamCreatePairWithSocketToNetService; pass null for a side to create only the other. */
export function CFStreamCreatePairWithSocketToNetService(
  _alloc: CFAllocator,
  service: ConnectableService,
  readStream?: null | undefined | object,
  writeStream?: null | undefined | object,
): StreamPairParts {
  return createParts(serviceTarget(service), sides(readStream, writeStream));
}

/** CFRunLoopGetMain. */
export function CFRunLoopGetMain(): RunLoop {
  return RunLoop.main;
}
/** CFRunLoopGetCurrent: Node has one thread, so the main run loop. */
export const CFRunLoopGetCurrent = CFRunLoopGetMain;

function setPropertyOrFalse(
  stream: ReadStream | WriteStream,
  key: string,
  value: unknown,
): boolean {
  try {
    return stream.setProperty(key, value);
  } catch {
    return false;
  }
}

// One alias per CF call; each is the method of the same name.
export const CFReadStreamOpen = (stream: ReadStream): boolean => stream.open();
export const CFReadStreamClose = (stream: ReadStream): void => stream.close();
export const CFReadStreamRead = (
  stream: ReadStream,
  buffer: Uint8Array,
  bufferLength: number,
): number => stream.read(buffer, bufferLength);
export const CFReadStreamHasBytesAvailable = (stream: ReadStream): boolean =>
  stream.hasBytesAvailable();
export const CFReadStreamGetStatus = (stream: ReadStream): StreamStatus => stream.getStatus();
export const CFReadStreamGetError = (stream: ReadStream): CFStreamError => stream.getError();
export const CFReadStreamCopyError = (stream: ReadStream): StreamError | null => stream.copyError();
export const CFReadStreamSetProperty = (stream: ReadStream, key: string, value: unknown): boolean =>
  setPropertyOrFalse(stream, key, value);
export const CFReadStreamCopyProperty = (stream: ReadStream, key: string): unknown =>
  stream.copyProperty(key);
export const CFReadStreamSetClient = (
  stream: ReadStream,
  streamEvents: number,
  clientCB: StreamClientCallback<ReadStream> | null,
  clientContext?: unknown,
): boolean => stream.setClient(streamEvents, clientCB, clientContext);
export const CFReadStreamScheduleWithRunLoop = (
  stream: ReadStream,
  runLoop: RunLoop,
  mode: RunLoopMode,
): void => stream.scheduleWithRunLoop(runLoop, mode);
export const CFReadStreamUnscheduleFromRunLoop = (
  stream: ReadStream,
  runLoop: RunLoop,
  mode: RunLoopMode,
): void => stream.unscheduleFromRunLoop(runLoop, mode);

export const CFWriteStreamOpen = (stream: WriteStream): boolean => stream.open();
export const CFWriteStreamClose = (stream: WriteStream): void => stream.close();
export const CFWriteStreamWrite = (
  stream: WriteStream,
  buffer: Uint8Array,
  bufferLength: number,
): number => stream.write(buffer, bufferLength);
export const CFWriteStreamCanAcceptBytes = (stream: WriteStream): boolean =>
  stream.canAcceptBytes();
export const CFWriteStreamGetStatus = (stream: WriteStream): StreamStatus => stream.getStatus();
export const CFWriteStreamGetError = (stream: WriteStream): CFStreamError => stream.getError();
export const CFWriteStreamCopyError = (stream: WriteStream): StreamError | null =>
  stream.copyError();
export const CFWriteStreamSetProperty = (
  stream: WriteStream,
  key: string,
  value: unknown,
): boolean => setPropertyOrFalse(stream, key, value);
export const CFWriteStreamCopyProperty = (stream: WriteStream, key: string): unknown =>
  stream.copyProperty(key);
export const CFWriteStreamSetClient = (
  stream: WriteStream,
  streamEvents: number,
  clientCB: StreamClientCallback<WriteStream> | null,
  clientContext?: unknown,
): boolean => stream.setClient(streamEvents, clientCB, clientContext);
export const CFWriteStreamScheduleWithRunLoop = (
  stream: WriteStream,
  runLoop: RunLoop,
  mode: RunLoopMode,
): void => stream.scheduleWithRunLoop(runLoop, mode);
export const CFWriteStreamUnscheduleFromRunLoop = (
  stream: WriteStream,
  runLoop: RunLoop,
  mode: RunLoopMode,
): void => stream.unscheduleFromRunLoop(runLoop, mode);

/**
 * The deprecated CFSocketStreamPairSetSecurityProtocol: sets the pair's
 * security level from the old protocol enum (SSLv23 means NegotiatedSSL).
 * Returns false once either stream has been opened, or for an unknown value.
 */
export function CFSocketStreamPairSetSecurityProtocol(
  readStream: ReadStream | null,
  writeStream: WriteStream | null,
  securityProtocol: SecurityProtocol,
): boolean {
  const streams = [readStream, writeStream].filter(
    (s): s is ReadStream | WriteStream => s !== null,
  );
  const first = streams[0];
  if (first === undefined || streams.some((s) => s.getStatus() !== StreamStatus.NotOpen))
    return false;
  try {
    return first.setProperty(
      kCFStreamPropertySocketSecurityLevel,
      securityLevelForProtocol(securityProtocol),
    );
  } catch {
    return false;
  }
}
/** The seed's alternative spelling of {@link CFSocketStreamPairSetSecurityProtocol}. */
export const CFReadStreamPairSetSecurityProtocol = CFSocketStreamPairSetSecurityProtocol;
