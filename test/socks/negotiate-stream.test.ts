/**
 * negotiateSOCKS against a scripted proxy on 127.0.0.1:0: replies split and
 * delayed, the bytes after a granted CONNECT, closes mid-reply, silence,
 * oversize names and abort.
 */
import assert from 'node:assert/strict';
import { getEventListeners, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorDomain } from '../../src/error-codes.js';
import { StreamError } from '../../src/errors.js';
import {
  assertPOSIX,
  callerOnClose,
  callerOnError,
  cleanUp,
  ENOTCONN,
  GRANTED4,
  GRANTED5,
  listenerCounts,
  negotiateThrough,
  readExactly,
  socks5,
} from './negotiate-harness.js';
import type { ProxyConnection } from './scripted-proxy.js';

describe('socks/negotiate: timing and transport from a scripted proxy', () => {
  // Inside the suite so that it runs before the root leak check.
  afterEach(cleanUp);

  describe('replies split and delayed', () => {
    it('completes SOCKS5 with authentication when every reply arrives byte by byte', async () => {
      const run = await negotiateThrough(
        async (c) => {
          await c.readGreeting();
          await c.writeSlowly([5, 2]);
          await c.readUserPass();
          await c.writeSlowly([1, 0]);
          const request = await c.readConnect();
          assert.equal(request.subarray(5, 5 + 15).toString(), 'printer.example');
          await c.writeSlowly([5, 0, 0, 3, 4, ...Buffer.from('host'), 0, 80]);
          c.write('after');
        },
        { user: 'u', password: 'p' },
      );
      assert.equal(run.error, undefined);
      await run.proxy.firstScriptDone;
      assert.deepEqual(run.proxy.scriptErrors, []);
      assert.equal((await readExactly(run.socket, 5)).toString(), 'after');
    });

    it('completes SOCKS4 when the reply arrives byte by byte', async () => {
      const run = await negotiateThrough(
        async (c) => {
          await c.readSOCKS4();
          await c.writeSlowly(GRANTED4);
        },
        { version: 4 },
      );
      assert.equal(run.error, undefined);
    });
  });

  describe('bytes after the final reply', () => {
    for (const version of [4, 5] as const) {
      it(`SOCKS${version}: delivers them first, leaves the socket paused and clean`, async () => {
        const run = await negotiateThrough(
          async (c) => {
            if (version === 5) {
              await c.readGreeting();
              c.write([5, 0]);
              await c.readConnect();
              c.write([...GRANTED5, ...Buffer.from('EXTRA')]);
            } else {
              await c.readSOCKS4();
              c.write([...GRANTED4, ...Buffer.from('EXTRA')]);
            }
            assert.equal((await c.read(4)).toString(), 'PING');
            c.write('MORE');
          },
          {
            version,
            // The caller's own listeners must survive the handshake's clean-up.
            onSocket: (socket) => {
              socket.on('error', callerOnError);
              socket.on('close', callerOnClose);
            },
          },
        );
        assert.equal(run.error, undefined);
        assert.equal(run.socket.isPaused(), true);
        assert.equal(run.socket.listenerCount('data'), 0);
        assert.deepEqual(run.socket.listeners('error'), [callerOnError]);
        assert.ok(run.socket.listeners('close').includes(callerOnClose));
        run.socket.write('PING');
        assert.equal((await readExactly(run.socket, 9)).toString(), 'EXTRAMORE');
      });
    }

    it('delivers them before the end of a proxy that closes right after', async () => {
      const run = await negotiateThrough(
        socks5(0, async (c) => {
          await c.readConnect();
          c.end([...GRANTED5, ...Buffer.from('bye')]);
        }),
      );
      assert.equal(run.error, undefined);
      const chunks: Buffer[] = [];
      run.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      run.socket.resume();
      await once(run.socket, 'end');
      assert.equal(Buffer.concat(chunks).toString(), 'bye');
    });
  });

  describe('a proxy that closes mid-reply is POSIX ENOTCONN', () => {
    const replies: [string, 4 | 5, (c: ProxyConnection) => Promise<void>, number[]][] = [
      ['the SOCKS5 method selection', 5, async (c) => void (await c.readGreeting()), [5, 0]],
      [
        'the RFC 1929 status',
        5,
        async (c) => {
          await c.readGreeting();
          c.write([5, 2]);
          await c.readUserPass();
        },
        [1, 0],
      ],
      [
        'the SOCKS5 CONNECT reply',
        5,
        async (c) => {
          await c.readGreeting();
          c.write([5, 0]);
          await c.readConnect();
        },
        GRANTED5,
      ],
      ['the SOCKS4 reply', 4, async (c) => void (await c.readSOCKS4()), GRANTED4],
    ];
    for (const [name, version, before, reply] of replies) {
      for (const sent of [0, 1, 3].filter((n) => n < reply.length)) {
        it(`after ${sent} bytes of ${name}`, async () => {
          const run = await negotiateThrough(
            async (c) => {
              await before(c);
              c.end(reply.slice(0, sent));
            },
            { version, user: 'u', password: 'p' },
          );
          assertPOSIX(run, ENOTCONN);
          assert.match(run.error?.message ?? '', /closed the connection during the handshake/);
        });
      }
    }

    it('reports a reset as POSIX ECONNRESET', async () => {
      const run = await negotiateThrough(async (c) => {
        await c.readGreeting();
        c.socket.resetAndDestroy();
      });
      assertPOSIX(run, 104);
    });
  });

  describe('silence, oversize names and abort', () => {
    it('times out a proxy that never answers, and nothing happens after', async () => {
      let late: ProxyConnection | undefined;
      const run = await negotiateThrough(
        async (c) => {
          await c.readGreeting();
          late = c;
        },
        { timeoutMs: 150 },
      );
      assertPOSIX(run, 110);
      assert.match(run.error?.message ?? '', /did not complete the handshake within 150 ms/);
      assert.ok(run.elapsedMs >= 140 && run.elapsedMs < 1000, `took ${run.elapsedMs} ms`);
      // A late answer reaches no handshake listener and raises nothing.
      late?.write([5, 0, ...GRANTED5]);
      await sleep(50);
      assert.deepEqual(listenerCounts(run.socket), run.listenersBefore);
      assert.equal(run.socket.isPaused(), true);
    });

    for (const version of [4, 5] as const) {
      it(`SOCKS${version}: refuses a destination name over 255 bytes with nothing sent`, async () => {
        let lookedUp = false;
        const run = await negotiateThrough(async () => {}, {
          version,
          destination: { host: `${'a'.repeat(63)}.`.repeat(4).padEnd(256, 'b'), port: 80 },
          lookup: async () => {
            lookedUp = true;
            return [];
          },
        });
        assertPOSIX(run, 36);
        assert.equal(lookedUp, false);
        run.socket.destroy();
        await run.proxy.connections[0]?.closed;
        assert.equal(run.proxy.connections.length, 1);
        assert.equal(run.proxy.connections[0]?.received.length, 0);
      });
    }

    it('aborts mid-handshake promptly, leaving no listeners', async () => {
      const controller = new AbortController();
      const run = await negotiateThrough(
        async (c) => {
          await c.readGreeting();
          c.write([5]);
          setImmediate(() => controller.abort());
        },
        { signal: controller.signal, timeoutMs: 5000 },
      );
      assertPOSIX(run, 125);
      assert.ok(run.elapsedMs < 1000, `took ${run.elapsedMs} ms`);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });

    it('aborts a SOCKS4 handshake waiting on its lookup, with the reason if it is a StreamError', async () => {
      const controller = new AbortController();
      const reason = new StreamError(ErrorDomain.Custom, -1, 'closed by the user');
      const run = await negotiateThrough(async () => {}, {
        version: 4,
        signal: controller.signal,
        lookup: () => {
          setImmediate(() => controller.abort(reason));
          return new Promise<string[]>(() => {});
        },
      });
      assert.equal(run.error, reason);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });

    it('rejects at once when the signal is already aborted, with nothing sent', async () => {
      const run = await negotiateThrough(async () => {}, { signal: AbortSignal.abort() });
      assertPOSIX(run, 125);
      run.socket.destroy();
      await run.proxy.connections[0]?.closed;
      assert.equal(run.proxy.connections[0]?.received.length, 0);
    });
  });
});
