import assert from 'node:assert/strict';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { connectToFirst, interleaveFamilies } from '../../src/stream/connect-race.js';
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
});
