import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { connectToFirst, interleaveFamilies, raceConnect } from '../../src/stream/connect-race.js';
import { startStalledListener } from '../support/stalled-listener.js';
import { startServer } from '../support/tcp-peers.js';

describe('connectToFirst (RFC 8305)', () => {
  it('interleaves families, starting with the first one given', () => {
    const order = interleaveFamilies([
      { address: '::1', family: 6 },
      { address: 'fe80::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ]).map((a) => a.address);
    assert.deepEqual(order, ['::1', '127.0.0.1', 'fe80::1', '127.0.0.2']);
  });

  it('moves on at once when an address refuses, and wins with the next', async () => {
    const dead = await startServer(() => {});
    const deadPort = dead.port;
    await dead.close();
    const live = await startServer(() => {});
    try {
      // Same port on two loopback addresses: only 127.0.0.1 listens there.
      const started = Date.now();
      const socket = await connectToFirst(
        [
          { address: '127.0.0.2', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
        live.port,
        { signal: new AbortController().signal, attemptDelayMs: 5000 },
      );
      assert.ok(Date.now() - started < 2000, 'waited for the attempt delay instead of moving on');
      assert.equal(socket.remoteAddress, '127.0.0.1');
      socket.destroy();
      const error = await connectToFirst([{ address: '127.0.0.1', family: 4 }], deadPort, {
        signal: new AbortController().signal,
      }).catch((e: StreamError) => e);
      assert.equal((error as StreamError).domain, ErrorDomain.POSIX);
      assert.equal((error as StreamError).code, 111);
    } finally {
      await live.close();
    }
  });

  it('starts the next attempt after the delay when one hangs, and closes the loser', async () => {
    const stalled = await startStalledListener();
    // A live server on another loopback address, same port.
    const live = await startServer(() => {}, '127.0.0.2', stalled.port);
    try {
      const started = Date.now();
      const socket = await connectToFirst(
        [
          { address: '127.0.0.1', family: 4 },
          { address: '127.0.0.2', family: 4 },
        ],
        stalled.port,
        { signal: new AbortController().signal, attemptDelayMs: 150 },
      );
      assert.ok(Date.now() - started >= 140, 'the second attempt started before the delay');
      assert.equal(socket.remoteAddress, '127.0.0.2');
      socket.destroy();
    } finally {
      await live.close();
      await stalled.close();
    }
  });

  it('aborts every attempt when the signal fires', async () => {
    const stalled = await startStalledListener();
    try {
      const abort = new AbortController();
      const attempt = connectToFirst([{ address: '127.0.0.1', family: 4 }], stalled.port, {
        signal: abort.signal,
      });
      setTimeout(() => abort.abort(new Error('closed')), 50);
      await assert.rejects(attempt, /closed/);
    } finally {
      await stalled.close();
    }
  });

  it('raceConnect: cancel closes the attempts and nothing is reported afterwards', async () => {
    const live = await startServer(() => {});
    try {
      const calls: unknown[] = [];
      // A live server: without the cancel, the connect would be reported within a millisecond.
      const cancel = raceConnect([{ address: '127.0.0.1', family: 4 }], live.port, 50, (e, s) =>
        calls.push(e ?? s),
      );
      cancel();
      cancel(); // twice is harmless
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(calls, []);
      // The control: the same race not cancelled reports its socket.
      const socket = await new Promise<unknown>((resolve) =>
        raceConnect([{ address: '127.0.0.1', family: 4 }], live.port, 50, (e, s) =>
          resolve(e ?? s),
        ),
      );
      assert.ok(socket instanceof Socket);
      socket.destroy();
    } finally {
      await live.close();
    }
  });

  it('raceConnect tries the addresses in the interleaved order, whatever order they come in', async () => {
    const hosts: string[] = [];
    const connect = Socket.prototype.connect;
    Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
      hosts.push((args[0] as { host: string }).host);
      return (connect as (...a: unknown[]) => Socket).apply(this, args);
    } as typeof connect;
    const stalled = await startStalledListener();
    try {
      const v4 = { address: '127.0.0.1', family: 4 } as const;
      const v6 = { address: '::1', family: 6 } as const;
      // ::1 refuses (nothing listens there), so the race moves on at once; 127.0.0.1 hangs.
      for (const [given, expected] of [
        [
          [v4, v4, v6],
          ['127.0.0.1', '::1', '127.0.0.1'],
        ],
        [
          [v4, v6, v4],
          ['127.0.0.1', '::1', '127.0.0.1'],
        ],
        [
          [v6, v6, v4, v4],
          ['::1', '127.0.0.1', '::1', '127.0.0.1'],
        ],
      ] as const) {
        hosts.length = 0;
        const cancel = raceConnect(given, stalled.port, 20, () => {});
        await new Promise((resolve) => setTimeout(resolve, 100));
        cancel();
        assert.deepEqual(hosts, expected);
      }
    } finally {
      Socket.prototype.connect = connect;
      await stalled.close();
    }
  });

  it('raceConnect of several addresses: the winner stays open, every other attempt is closed, and cancel closes them all', async () => {
    // Every socket the race makes, seen through Socket#connect.
    const made: Socket[] = [];
    const connect = Socket.prototype.connect;
    Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
      made.push(this);
      return (connect as (...a: unknown[]) => Socket).apply(this, args);
    } as typeof connect;
    const stalled = await startStalledListener();
    const live = await startServer(() => {}, '127.0.0.2', stalled.port);
    try {
      // Two stalled attempts (the same stalled address twice), then a live one, 30 ms apart.
      const twice = { address: '127.0.0.1', family: 4 } as const;
      const socket = await new Promise<unknown>((resolve) =>
        raceConnect([twice, twice, { address: '127.0.0.2', family: 4 }], stalled.port, 30, (e, s) =>
          resolve(e ?? s),
        ),
      );
      assert.ok(socket instanceof Socket);
      assert.equal(made.length, 3);
      assert.deepEqual(
        made.map((s) => s.destroyed),
        [true, true, false],
        'the losers are closed, the winner is not',
      );
      assert.equal(socket, made[2]);
      socket.destroy();

      made.length = 0;
      const calls: unknown[] = [];
      const cancel = raceConnect([twice, twice], stalled.port, 30, (e, s) => calls.push(e ?? s));
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.deepEqual(
        made.map((s) => s.destroyed),
        [false, false],
        'both attempts are under way',
      );
      cancel();
      assert.deepEqual(
        made.map((s) => s.destroyed),
        [true, true],
        'cancel closed both',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(calls, [], 'nothing is reported after cancel');
      assert.equal(made.length, 2, 'no attempt starts after cancel');
    } finally {
      Socket.prototype.connect = connect;
      await live.close();
      await stalled.close();
    }
  });

  it('raceConnect: no address fails with EADDRNOTAVAIL, never synchronously, and not after cancel', async () => {
    let error: StreamError | undefined;
    let sync = true;
    raceConnect([], 1, undefined, (e) => {
      assert.ok(!sync, 'reported inside the call');
      error = e as StreamError;
    });
    sync = false;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(error?.domain, ErrorDomain.POSIX);
    assert.equal(error?.code, 99);
    let called = false;
    raceConnect([], 1, undefined, () => {
      called = true;
    })();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(called, false);
  });
});
