import assert from 'node:assert/strict';
import { ErrorDomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  StreamError,
} from '../../src/errors.js';
import type { SOCKSProxySettings } from '../../src/socks/index.js';
import { SOCKS5Handshake, SOCKS5State } from '../../src/socks/socks5-handshake.js';

const proxy: SOCKSProxySettings = { host: '127.0.0.1', port: 1080, version: 5 };
const withUser: SOCKSProxySettings = { ...proxy, user: 'alice', password: 'pw-secret' };
const destination = { host: 'printer.example', port: 631 };

const connectRequest = Buffer.from([5, 1, 0, 3, 15, ...Buffer.from('printer.example'), 0x02, 0x77]);
const granted = [5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38];

/** Feeds `chunks` in order; answers every request sent and the final progress. */
function feed(handshake: SOCKS5Handshake, chunks: readonly (readonly number[])[]) {
  const sent: Buffer[] = [];
  let last: { done: boolean; rest: Buffer } = { done: false, rest: Buffer.alloc(0) };
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const progress = handshake.onData(Buffer.from(chunk));
    sent.push(...progress.send);
    last = progress;
  }
  return { sent, ...last };
}

function assertSOCKS(error: unknown, subdomain: number, code: number, pattern?: RegExp): true {
  assert.ok(error instanceof StreamError, String(error));
  assert.equal(error.domain, ErrorDomain.SOCKS);
  assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), subdomain);
  assert.equal(CFSocketStreamSOCKSGetError(error), code);
  assert.match(error.message, /SOCKS5 proxy 127\.0\.0\.1:1080/);
  if (pattern) assert.match(error.message, pattern);
  return true;
}

/** Every way to cut `bytes` into two segments, plus one byte at a time. */
function splits(bytes: readonly number[]): number[][][] {
  const out: number[][][] = [bytes.map((b) => [b])];
  for (let cut = 0; cut <= bytes.length; cut += 1)
    out.push([bytes.slice(0, cut), bytes.slice(cut)]);
  return out;
}

describe('socks/socks5-handshake', () => {
  it('greets with no-auth only when there is no user (RFC 1928 §3)', () => {
    assert.deepEqual([...new SOCKS5Handshake(proxy, destination).start()], [5, 1, 0]);
    assert.deepEqual([...new SOCKS5Handshake(withUser, destination).start()], [5, 2, 0, 2]);
  });

  it('sends CONNECT after no-auth and finishes on a granted reply, however it is split', () => {
    const transcript = [5, 0, ...granted];
    for (const chunks of splits(transcript)) {
      const handshake = new SOCKS5Handshake(proxy, destination);
      handshake.start();
      const { sent, done, rest } = feed(handshake, chunks);
      assert.deepEqual(sent, [connectRequest], JSON.stringify(chunks));
      assert.equal(done, true);
      assert.equal(rest.length, 0);
      assert.equal(handshake.state, SOCKS5State.Connected);
    }
  });

  it('authenticates with RFC 1929 and accepts domain and IPv6 bound addresses', () => {
    const domainReply = [5, 0, 0, 3, 4, ...Buffer.from('host'), 0, 80];
    const ipv6Reply = [5, 0, 0, 4, ...new Array<number>(16).fill(0), 0, 80];
    for (const reply of [domainReply, ipv6Reply]) {
      for (const chunks of splits([5, 2, 1, 0, ...reply])) {
        const handshake = new SOCKS5Handshake(withUser, destination);
        handshake.start();
        const { sent, done } = feed(handshake, chunks);
        assert.deepEqual(sent, [
          Buffer.from([1, 5, ...Buffer.from('alice'), 9, ...Buffer.from('pw-secret')]),
          connectRequest,
        ]);
        assert.equal(done, true);
      }
    }
  });

  it('returns bytes after the final reply as the first bytes of the stream', () => {
    const handshake = new SOCKS5Handshake(proxy, destination);
    handshake.start();
    assert.equal(handshake.onData(Buffer.from([5, 0])).done, false);
    const progress = handshake.onData(Buffer.from([...granted, 0x68, 0x69]));
    assert.equal(progress.done, true);
    assert.equal(progress.rest.toString(), 'hi');
  });

  it('sends IPv4 and IPv6 literals as such (RFC 1928 §5)', () => {
    const v4 = new SOCKS5Handshake(proxy, { host: '192.168.1.20', port: 80 });
    v4.start();
    assert.deepEqual(
      [...(v4.onData(Buffer.from([5, 0])).send[0] ?? [])],
      [5, 1, 0, 1, 192, 168, 1, 20, 0, 80],
    );
    const v6 = new SOCKS5Handshake(proxy, { host: '2001:db8::1', port: 443 });
    v6.start();
    const request = v6.onData(Buffer.from([5, 0])).send[0];
    assert.deepEqual(
      [...(request ?? [])],
      [5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1, 1, 0xbb],
    );
  });

  it('reports the version byte of each reply under subdomain VersionCode (1)', () => {
    const cases: [number[], number][] = [
      [[4, 0], 4],
      [[5, 2, 5, 0], 5],
      [[5, 0, 4, 0, 0, 1], 4],
    ];
    for (const [bytes, version] of cases) {
      const handshake = new SOCKS5Handshake(withUser, destination);
      handshake.start();
      assert.throws(
        () => feed(handshake, [bytes]),
        (e) => assertSOCKS(e, 1, version, new RegExp(`version ${version}, expected`)),
      );
      assert.equal(handshake.state, SOCKS5State.Failed);
    }
  });

  it('reports method 0xFF and methods not offered under subdomain SOCKS5Method (4)', () => {
    for (const [settings, method] of [
      [proxy, 0xff],
      [proxy, 0x02],
      [withUser, 0x01],
      [withUser, 0x80],
      [withUser, 0x03],
    ] as const) {
      const handshake = new SOCKS5Handshake(settings, destination);
      handshake.start();
      const meaning = method === 0xff ? /accepts none/ : /was not offered/;
      assert.throws(
        () => handshake.onData(Buffer.from([5, method])),
        (e) => assertSOCKS(e, 4, method, meaning),
      );
    }
  });

  it('reports an RFC 1929 failure status under subdomain SOCKS5UserPass (3), without credentials', () => {
    for (const status of [1, 0xff]) {
      const handshake = new SOCKS5Handshake(withUser, destination);
      handshake.start();
      assert.throws(
        () => handshake.onData(Buffer.from([5, 2, 1, status])),
        (e) => {
          assertSOCKS(e, 3, status, /refused the user name and password/);
          assert.doesNotMatch((e as Error).message, /alice|pw-secret/);
          return true;
        },
      );
    }
  });

  it('reports every reply code, assigned or not, under subdomain SOCKS5Response (5) as soon as REP arrives', () => {
    const meanings = [
      '',
      'general SOCKS server failure',
      'connection not allowed by ruleset',
      'network unreachable',
      'host unreachable',
      'connection refused',
      'TTL expired',
      'command not supported',
      'address type not supported',
    ];
    for (const code of [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x7f, 0xff]) {
      const handshake = new SOCKS5Handshake(proxy, destination);
      handshake.start();
      const meaning =
        meanings[code] ?? `unassigned reply code 0x${code.toString(16).padStart(2, '0')}`;
      assert.throws(
        () => handshake.onData(Buffer.from([5, 0, 5, code])),
        (e) => assertSOCKS(e, 5, code, new RegExp(meaning)),
      );
    }
  });

  it('reports an unknown address type as subdomain None, BadResponseAddr (1)', () => {
    for (const atyp of [0, 2, 5, 0xff]) {
      const handshake = new SOCKS5Handshake(proxy, destination);
      handshake.start();
      assert.throws(
        () => handshake.onData(Buffer.from([5, 0, 5, 0, 0, atyp])),
        (e) => assertSOCKS(e, 0, 1, /unknown address type/),
      );
    }
  });

  it('reports impossible calls as subdomain None, BadState (2)', () => {
    const idle = new SOCKS5Handshake(proxy, destination);
    assert.throws(
      () => idle.onData(Buffer.from([5])),
      (e) => assertSOCKS(e, 0, 2, /before the greeting/),
    );
    const twice = new SOCKS5Handshake(proxy, destination);
    twice.start();
    assert.throws(
      () => twice.start(),
      (e) => assertSOCKS(e, 0, 2),
    );
    const failed = new SOCKS5Handshake(proxy, destination);
    failed.start();
    assert.throws(() => failed.onData(Buffer.from([5, 0xff])));
    assert.throws(
      () => failed.onData(Buffer.from([5])),
      (e) => assertSOCKS(e, 0, 2, /after the handshake failed/),
    );
    const done = new SOCKS5Handshake(proxy, destination);
    done.start();
    assert.equal(done.onData(Buffer.from([5, 0, ...granted])).done, true);
    assert.throws(
      () => done.onData(Buffer.from([1])),
      (e) => assertSOCKS(e, 0, 2, /after the CONNECT was granted/),
    );
  });

  it('waits without output on partial replies', () => {
    const handshake = new SOCKS5Handshake(proxy, destination);
    handshake.start();
    const progress = handshake.onData(Buffer.from([5]));
    assert.deepEqual(progress.send, []);
    assert.equal(progress.done, false);
    assert.equal(handshake.state, SOCKS5State.Method);
  });

  it('refuses a destination name over 255 bytes when constructed', () => {
    assert.throws(
      () => new SOCKS5Handshake(proxy, { host: 'a'.repeat(256), port: 80 }),
      RangeError,
    );
  });
});
