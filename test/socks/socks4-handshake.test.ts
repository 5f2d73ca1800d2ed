import assert from 'node:assert/strict';
import { ErrorDomain } from '../../src/error-codes.js';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  StreamError,
} from '../../src/errors.js';
import type { SOCKSProxySettings } from '../../src/socks/index.js';
import { SOCKS4Handshake, SOCKS4State } from '../../src/socks/socks4-handshake.js';

const proxy: SOCKSProxySettings = { host: 'socks.example', port: 1080, version: 4 };
const byAddress = { kind: 'address', address: '10.0.0.7', port: 8080 } as const;
const byName = { kind: 'name', host: 'printer.example', port: 631 } as const;
const granted = [0, 90, 0, 0, 0, 0, 0, 0];

function assertSOCKS(error: unknown, subdomain: number, code: number, pattern?: RegExp): true {
  assert.ok(error instanceof StreamError, String(error));
  assert.equal(error.domain, ErrorDomain.SOCKS);
  assert.equal(CFSocketStreamSOCKSGetErrorSubdomain(error), subdomain);
  assert.equal(CFSocketStreamSOCKSGetError(error), code);
  assert.match(error.message, /SOCKS4 proxy socks\.example:1080/);
  if (pattern) assert.match(error.message, pattern);
  return true;
}

describe('socks/socks4-handshake', () => {
  it('sends a SOCKS4 request with the user id', () => {
    const handshake = new SOCKS4Handshake({ ...proxy, user: 'bob' }, byAddress);
    assert.deepEqual(
      [...handshake.start()],
      [4, 1, 0x1f, 0x90, 10, 0, 0, 7, ...Buffer.from('bob'), 0],
    );
  });

  it('sends a SOCKS4a request (DSTIP 0.0.0.1, name after the user id)', () => {
    const handshake = new SOCKS4Handshake(proxy, byName);
    assert.deepEqual(
      [...handshake.start()],
      [4, 1, 0x02, 0x77, 0, 0, 0, 1, 0, ...Buffer.from('printer.example'), 0],
    );
  });

  it('finishes on status 90 however the reply is split, keeping later bytes', () => {
    const transcript = [...granted, 0x4f, 0x4b];
    const splits: number[][][] = [transcript.map((b) => [b])];
    for (let cut = 0; cut <= transcript.length; cut += 1)
      splits.push([transcript.slice(0, cut), transcript.slice(cut)]);
    for (const chunks of splits) {
      const handshake = new SOCKS4Handshake(proxy, byAddress);
      handshake.start();
      let rest: Buffer = Buffer.alloc(0);
      let done = false;
      const after: Buffer[] = [];
      for (const chunk of chunks) {
        if (done) {
          after.push(Buffer.from(chunk));
          continue;
        }
        const progress = handshake.onData(Buffer.from(chunk));
        assert.deepEqual(progress.send, []);
        done = progress.done;
        rest = progress.rest;
      }
      assert.equal(done, true, JSON.stringify(chunks));
      assert.equal(Buffer.concat([rest, ...after]).toString(), 'OK');
      assert.equal(handshake.state, SOCKS4State.Connected);
    }
  });

  it('reports statuses 91, 92, 93 and others under subdomain SOCKS4Response (2)', () => {
    const meanings: Record<number, RegExp> = {
      91: /rejected or failed/,
      92: /cannot reach identd/,
      93: /different user id/,
      0: /unknown status 0/,
      94: /unknown status 94/,
      255: /unknown status 255/,
    };
    for (const [status, meaning] of Object.entries(meanings)) {
      const handshake = new SOCKS4Handshake(proxy, byAddress);
      handshake.start();
      assert.throws(
        () => handshake.onData(Buffer.from([0, Number(status)])),
        (e) => assertSOCKS(e, 2, Number(status), meaning),
      );
    }
  });

  it('reports a reply version other than 0 under subdomain VersionCode (1)', () => {
    for (const version of [4, 5, 0xff]) {
      const handshake = new SOCKS4Handshake(proxy, byName);
      handshake.start();
      assert.throws(
        () => handshake.onData(Buffer.from([version, 90])),
        (e) => assertSOCKS(e, 1, version, /expected 0/),
      );
      assert.equal(handshake.state, SOCKS4State.Failed);
    }
  });

  it('reports impossible calls as BadState (2)', () => {
    const idle = new SOCKS4Handshake(proxy, byAddress);
    assert.throws(
      () => idle.onData(Buffer.from([0])),
      (e) => assertSOCKS(e, 0, 2),
    );
    const done = new SOCKS4Handshake(proxy, byAddress);
    done.start();
    assert.throws(
      () => done.start(),
      (e) => assertSOCKS(e, 0, 2),
    );
    assert.equal(done.onData(Buffer.from(granted)).done, true);
    assert.throws(
      () => done.onData(Buffer.from([0])),
      (e) => assertSOCKS(e, 0, 2, /after the CONNECT was granted/),
    );
  });

  it('refuses a user id with NUL or a name over 255 bytes when constructed', () => {
    assert.throws(
      () => new SOCKS4Handshake({ ...proxy, user: 'a\0b' }, byAddress),
      /must not contain NUL/,
    );
    assert.throws(
      () => new SOCKS4Handshake(proxy, { kind: 'name', host: 'a'.repeat(256), port: 1 }),
      /at most 255/,
    );
  });
});
