/**
 * The thin driver of a DNS exchange: one UDP datagram from a fresh ephemeral
 * port, a TCP connection when the answer is truncated or the request is too
 * big for UDP (RFC 7766 §5-6), a timer and an abort signal. Every verdict on
 * what arrives is the core's (exchange-core.ts); a dropped reply leaves the
 * wait running, so garbage can delay an answer but never replace it.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { connect, isIP, isIPv6 } from 'node:net';
import { debuglog } from 'node:util';
import type { CancelSignal } from '../abort.js';
import { EDNS_UDP_SIZE, MAX_MESSAGE } from '../dns/wire-extra.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { runAfter } from '../shared-timer.js';
import { type Expectation, judgeReply, type ServerAddress, type Verdict } from './exchange-core.js';

const log = debuglog('cfstream:unicast');

/** A reply the core accepted, with its raw bytes (TSIG verifies them) and the server that sent it. */
export type Answer = Extract<Verdict, { kind: 'answer' }>['read'] & {
  readonly bytes: Buffer;
  readonly server: ServerAddress;
};

function answerOf(
  verdict: Extract<Verdict, { kind: 'answer' }>,
  bytes: Buffer,
  server: ServerAddress,
): Answer {
  const { read } = verdict;
  return { ok: true, message: read.message, placed: read.placed, bytes, server };
}

/** "host:port", with brackets for IPv6. */
export function describeServer(server: ServerAddress): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function timeoutError(server: ServerAddress, ms: number, over: string): StreamError {
  return new StreamError(
    ErrorDomain.NetServices,
    NetServicesError.Timeout,
    `no answer from DNS server ${describeServer(server)} over ${over} within ${ms} ms`,
  );
}

function cancelled(signal: CancelSignal): unknown {
  return (
    signal.reason ?? new StreamError(ErrorDomain.NetServices, NetServicesError.Cancel, 'cancelled')
  );
}

/**
 * dgram looks up even a literal address (dns.lookup, which answers a literal
 * on the next tick) once to bind and again to send; a server is a literal
 * address, so it is handed back at once and the datagram leaves in this turn
 * of the event loop (about 8 µs of a 100 µs exchange on loopback). Anything
 * else still goes through dns.lookup.
 */
function literalLookup(
  address: string,
  // dgram passes the family as a number here, which dns.lookup takes too.
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  if (family !== 0) callback(null, address, family);
  else dnsLookup(address, options, callback);
}

function closeSocket(socket: { close(): void }): void {
  socket.close();
}

/**
 * The settle-once guard of one try: the first outcome (reply, error, timeout
 * or abort) calls off the deadline and the abort listener and releases the socket;
 * later ones do nothing (a second close of a dgram socket throws).
 */
function settleOnce(
  options: { signal: CancelSignal; timeoutMs: number },
  timedOut: () => StreamError,
  release: () => void,
  reject: (reason: unknown) => void,
): (outcome: () => void) => void {
  let settled = false;
  const finish = (outcome: () => void): void => {
    if (settled) return;
    settled = true;
    deadline.cancel();
    options.signal.removeEventListener('abort', onAbort);
    release();
    outcome();
  };
  const onAbort = (): void => finish(() => reject(cancelled(options.signal)));
  // No timer of its own: one timer serves every exchange in flight (src/shared-timer.ts).
  const deadline = runAfter(options.timeoutMs, () => finish(() => reject(timedOut())));
  // Not `once`: finish removes it, and an options object per try is garbage for nothing.
  options.signal.addEventListener('abort', onAbort);
  return finish;
}

/** Sends `request` over UDP and waits for the reply the core accepts; a truncated one is asked again over TCP. */
function overUdp(
  server: ServerAddress,
  request: Buffer,
  expected: Expectation,
  options: { signal: CancelSignal; timeoutMs: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(cancelled(options.signal));
    const socket = createSocket({
      // A literal IPv6 address has a colon, an IPv4 one never (cheaper than isIPv6's expression).
      type: server.host.includes(':') ? 'udp6' : 'udp4',
      lookup: literalLookup,
    });
    // Closed on the next turn, after the caller has its answer (closing costs about as much as
    // reading the reply); a datagram arriving meanwhile changes nothing: the guard has settled.
    const finish = settleOnce(
      options,
      () => timeoutError(server, options.timeoutMs, 'UDP'),
      () => setImmediate(closeSocket, socket),
      reject,
    );
    socket.on('message', (bytes: Buffer, rinfo: RemoteInfo) => {
      const verdict = judgeReply(
        expected,
        bytes,
        { host: rinfo.address, port: rinfo.port },
        request,
      );
      if (verdict.kind === 'drop') log('dropped a reply: %s', verdict.reason);
      // RFC 7766 §5: the same question over TCP (its promise adopted: no turn for the UDP case).
      else if (verdict.kind === 'truncated')
        finish(() => resolve(overTcp(server, request, expected, options)));
      else finish(() => resolve(answerOf(verdict, bytes, server)));
    });
    // ICMP errors do not reach an unconnected socket; a send error (no route) ends the try at once.
    socket.on('error', (error) =>
      finish(() =>
        reject(
          new StreamError(
            ErrorDomain.NetServices,
            NetServicesError.Timeout,
            `cannot reach DNS server ${describeServer(server)}: ${error.message}`,
            { cause: error },
          ),
        ),
      ),
    );
    socket.send(request, server.port, server.host);
  });
}

/** Sends `request` over TCP with its two-byte length (RFC 1035 §4.2.2) and reads one reply. */
function overTcp(
  server: ServerAddress,
  request: Buffer,
  expected: Expectation,
  options: { signal: CancelSignal; timeoutMs: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(cancelled(options.signal));
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const finish = settleOnce(
      options,
      () => timeoutError(server, options.timeoutMs, 'TCP'),
      () => socket.destroy(),
      reject,
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(request.length, 0);
    socket.write(Buffer.concat([length, request]));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2) {
        const size = received.readUInt16BE(0);
        if (received.length < 2 + size) return;
        const bytes = received.subarray(2, 2 + size);
        received = received.subarray(2 + size);
        const verdict = judgeReply(expected, Buffer.from(bytes), undefined, request);
        if (verdict.kind === 'answer')
          return finish(() => resolve(answerOf(verdict, Buffer.from(bytes), server)));
        log('dropped a TCP reply: %s', verdict.kind === 'drop' ? verdict.reason : 'truncated');
      }
    });
    const closed = (error?: Error): void =>
      finish(() =>
        reject(
          new StreamError(
            ErrorDomain.NetServices,
            NetServicesError.Timeout,
            `no answer from DNS server ${describeServer(server)} over TCP: ${error?.message ?? 'connection closed'}`,
            error === undefined ? {} : { cause: error },
          ),
        ),
      );
    socket.on('error', closed);
    socket.on('end', () => closed());
  });
}

/**
 * One request to one server: UDP first (TCP at once when the request is too
 * big for a datagram), TCP when the answer is truncated. Not async: the
 * UDP try's own promise is the caller's (one promise less per exchange).
 */
export function exchangeWith(
  server: ServerAddress,
  request: Buffer,
  expected: Expectation,
  options: { signal: CancelSignal; timeoutMs: number; tcp?: boolean },
): Promise<Answer> {
  if (request.length > MAX_MESSAGE)
    return Promise.reject(
      new StreamError(
        ErrorDomain.NetServices,
        NetServicesError.BadArgument,
        `a ${request.length}-byte DNS message`,
      ),
    );
  if (options.tcp === true || request.length > EDNS_UDP_SIZE)
    return overTcp(server, request, expected, options);
  return overUdp(server, request, expected, options);
}
