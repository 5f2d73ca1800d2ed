/**
 * The socket's events, routed to the streams of its pair. The listeners are
 * shared by every pair (the pair is found through a tag on the socket), so
 * an idle pair holds no closures of its own for them.
 */
import type { Duplex } from 'node:stream';
import { posixError, type StreamError, toStreamError } from '../errors.js';
import { tlsErrorToStreamError } from '../tls/index.js';
import { nodeTls } from '../tls/node-tls.js';
import type { PairReadSide, PairWriteSide } from './stream-interfaces.js';

/** What a socket's events reach: the streams of its pair. */
export interface SocketEventTarget {
  readonly readStream: PairReadSide | undefined;
  readonly writeStream: PairWriteSide | undefined;
}

const kTarget = Symbol('cfsocketstream.pair');
type Tagged = Duplex & { [kTarget]?: SocketEventTarget | undefined };

// With no read stream, or a closed one, nobody will read: the bytes are dropped so the peer is not stalled.
function onData(this: Tagged, chunk: Buffer): void {
  this[kTarget]?.readStream?.acceptData(chunk);
}
function onEnd(this: Tagged): void {
  this[kTarget]?.readStream?.acceptEnd();
}
function onDrain(this: Tagged): void {
  this[kTarget]?.writeStream?.acceptDrain();
}
function onError(this: Tagged, error: Error): void {
  const target = this[kTarget];
  if (target === undefined) return;
  const failure = failureOf(this, error);
  target.readStream?.acceptError(failure);
  target.writeStream?.acceptError(failure);
}
// Closed without an error: the read side has seen all there is; the write side cannot go on.
function onClose(this: Tagged): void {
  const target = this[kTarget];
  target?.readStream?.acceptEnd();
  target?.writeStream?.acceptError(posixError('ENOTCONN', 'connection closed'));
}

// OpenSSL's own failures after the handshake (a TLS 1.3 server refusing our certificate, a bad
// record) are SSL-domain errors; a reset or a broken pipe stays what the socket says (POSIX).
function failureOf(stream: Duplex, error: Error): StreamError {
  const code = (error as { code?: unknown }).code;
  const fromOpenSSL = typeof code === 'string' && code.startsWith('ERR_SSL');
  // node:tls is loaded by then: an OpenSSL error comes from a TLS socket.
  return fromOpenSSL && stream instanceof nodeTls().TLSSocket
    ? tlsErrorToStreamError(error)
    : toStreamError(error);
}

/** Routes `stream`'s data, end, drain, error and close to `target`'s streams. */
export function attachSocketEvents(stream: Duplex, target: SocketEventTarget): void {
  (stream as Tagged)[kTarget] = target;
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('drain', onDrain);
  stream.on('error', onError);
  stream.on('close', onClose);
}

/** Stops the routing (the socket keeps working; its events reach nobody of ours). */
export function detachSocketEvents(stream: Duplex): void {
  // Removed in the reverse order they were added, which keeps the socket's listener table compact.
  stream.off('close', onClose);
  stream.off('error', onError);
  stream.off('drain', onDrain);
  stream.off('end', onEnd);
  stream.off('data', onData);
  (stream as Tagged)[kTarget] = undefined;
}
