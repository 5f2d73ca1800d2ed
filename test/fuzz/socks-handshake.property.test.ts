/**
 * Properties of the SOCKS4/4a and SOCKS5 client handshakes (RFC 1928, RFC
 * 1929, the SOCKS4 protocol note) against any reply a proxy could send, cut
 * into segments anywhere: each byte sequence ends in success, a StreamError
 * in the SOCKS or POSIX domain, or a wait for more bytes; never another
 * throw; and the outcome does not depend on where the bytes were cut.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorDomain, StreamError } from '../../src/index.js';
import type { SOCKSProxySettings } from '../../src/socks/index.js';
import { SOCKS4Handshake } from '../../src/socks/socks4-handshake.js';
import { SOCKS5Handshake } from '../../src/socks/socks5-handshake.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz-runs.js';

type Handshake = SOCKS4Handshake | SOCKS5Handshake;

/** How a handshake ended for one input. */
interface Outcome {
  readonly kind: 'done' | 'failed' | 'waiting';
  /** Every request the handshake asked to send after start(), concatenated. */
  readonly sent: Buffer;
  /** Bytes after the final reply: the first bytes of the stream. */
  readonly rest: Buffer;
  readonly error?: { readonly domain: number; readonly code: number; readonly message: string };
}

const proxies = {
  socks5: { host: '127.0.0.1', port: 1080, version: 5 },
  socks5User: { host: '127.0.0.1', port: 1080, version: 5, user: 'alice', password: 'pw' },
  socks4: { host: '127.0.0.1', port: 1080, version: 4, user: 'bob' },
} as const satisfies Record<string, SOCKSProxySettings>;

const makers: Record<string, () => Handshake> = {
  socks5: () => new SOCKS5Handshake(proxies.socks5, { host: 'printer.example', port: 631 }),
  socks5User: () => new SOCKS5Handshake(proxies.socks5User, { host: '10.0.0.9', port: 80 }),
  socks4: () =>
    new SOCKS4Handshake(proxies.socks4, { kind: 'address', address: '10.0.0.9', port: 80 }),
  socks4a: () =>
    new SOCKS4Handshake(proxies.socks4, { kind: 'name', host: 'printer.example', port: 631 }),
};

/** Feeds `chunks` to a fresh handshake; a throw must be a SOCKS- or POSIX-domain StreamError. */
function run(make: () => Handshake, chunks: readonly Buffer[]): Outcome {
  const handshake = make();
  handshake.start();
  const sent: Buffer[] = [];
  for (let i = 0; i < chunks.length; i++) {
    let progress: ReturnType<Handshake['onData']>;
    try {
      progress = handshake.onData(chunks[i] as Buffer);
    } catch (error) {
      assert.ok(error instanceof StreamError, `threw a non-StreamError: ${String(error)}`);
      assert.ok(
        error.domain === ErrorDomain.SOCKS || error.domain === ErrorDomain.POSIX,
        `error in domain ${error.domain}: ${error.message}`,
      );
      // A failed handshake stays failed: more bytes are refused, again as a StreamError.
      assert.throws(() => handshake.onData(Buffer.from([0])), StreamError);
      return {
        kind: 'failed',
        sent: Buffer.concat(sent),
        rest: Buffer.alloc(0),
        error: { domain: error.domain, code: error.code, message: error.message },
      };
    }
    sent.push(...progress.send);
    if (progress.done) {
      assert.throws(() => handshake.onData(Buffer.from([0])), StreamError);
      return {
        kind: 'done',
        sent: Buffer.concat(sent),
        rest: Buffer.concat([progress.rest, ...chunks.slice(i + 1)]),
      };
    }
    assert.equal(progress.rest.length, 0);
  }
  return { kind: 'waiting', sent: Buffer.concat(sent), rest: Buffer.alloc(0) };
}

/** Cuts `bytes` at the given points (any order, repeats allowed: empty segments too). */
function cut(bytes: Buffer, points: readonly number[]): Buffer[] {
  const sorted = points.map((p) => p % (bytes.length + 1)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of sorted) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

const byte = fc.nat(255);
const nearly = (value: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: byte });

/** A SOCKS5 exchange a proxy could send: mostly well formed, any field possibly wrong. */
const socks5Reply = fc
  .tuple(
    fc.tuple(nearly(5), fc.oneof(fc.constantFrom(0, 2, 0xff), byte)),
    fc.tuple(nearly(1), nearly(0)),
    fc.tuple(nearly(5), nearly(0), byte, fc.oneof(fc.constantFrom(1, 3, 4), byte)),
    fc.uint8Array({ maxLength: 24 }),
    fc.uint8Array({ maxLength: 8 }),
  )
  .map(([method, auth, head, bound, stream]) => {
    const withAuth = method[1] === 2;
    return Buffer.from([...method, ...(withAuth ? auth : []), ...head, ...bound, ...stream]);
  });

/** A SOCKS4 reply: VN, CD, DSTPORT, DSTIP, then stream bytes. */
const socks4Reply = fc
  .tuple(
    nearly(0),
    fc.oneof(fc.constantFrom(90, 91, 92, 93), byte),
    fc.uint8Array({ maxLength: 12 }),
  )
  .map(([vn, cd, tail]) => Buffer.from([vn, cd, ...tail]));

const anyBytes = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
const cuts = fc.array(fc.nat(), { maxLength: 8 });

const RUNS = fuzzRuns(1000);

describe('socks handshakes (property)', () => {
  for (const [name, make] of Object.entries(makers)) {
    const replies = name.startsWith('socks5') ? socks5Reply : socks4Reply;
    it(`${name}: any reply, cut anywhere, ends in success, a SOCKS/POSIX error or a wait, the same however cut (${RUNS} cases)`, () => {
      fc.assert(
        fc.property(fc.oneof(replies, anyBytes), cuts, (bytes, points) => {
          const whole = run(make, [bytes]);
          const pieces = run(make, cut(bytes, points));
          const bytewise = run(
            make,
            [...bytes].map((b) => Buffer.from([b])),
          );
          for (const other of [pieces, bytewise]) {
            assert.equal(other.kind, whole.kind);
            assert.deepEqual(other.error, whole.error);
            // A failure drops the requests of its own segment; the handshake is over either way.
            if (whole.kind !== 'failed')
              assert.ok(other.sent.equals(whole.sent), 'different requests sent');
            assert.ok(other.rest.equals(whole.rest), 'different stream bytes after the reply');
          }
          if (whole.kind === 'done') {
            // Success consumed a reply prefix; what follows it is handed on untouched.
            assert.ok(bytes.subarray(bytes.length - whole.rest.length).equals(whole.rest));
          }
        }),
        fuzzParameters(1000),
      );
    });
  }
});
