import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { StreamEvent } from '../../src/constants.js';
import { createPairWithSocketToHost } from '../../src/stream/stream-pair.js';
import { SLAB_SIZE, WriteCopies } from '../../src/stream/write-copies.js';
import { startServer, waitFor } from '../support/tcp-peers.js';

describe('WriteCopies', () => {
  it('never hands out bytes still in flight, and reuses a slab once all of it is flushed', () => {
    const copies = new WriteCopies();
    const a = copies.copy(Buffer.alloc(1000, 1), 1000);
    const b = copies.copy(Buffer.alloc(1000, 2), 1000);
    assert.equal(a.chunk.buffer, b.chunk.buffer, 'small copies share a slab');
    assert.ok(a.chunk.byteOffset + 1000 <= b.chunk.byteOffset);
    assert.ok(a.chunk.every((x) => x === 1));
    // A copy that does not fit starts a new slab; the old one stays untouched while in flight.
    const big = copies.copy(Buffer.alloc(SLAB_SIZE, 3), SLAB_SIZE);
    assert.notEqual(big.chunk.buffer, a.chunk.buffer);
    assert.ok(a.chunk.every((x) => x === 1) && b.chunk.every((x) => x === 2));
    assert.equal(copies.copy(Buffer.alloc(SLAB_SIZE + 10), SLAB_SIZE + 10).chunk.length, SLAB_SIZE);
  });

  it('sends what the caller wrote even when it reuses its buffer at once', async () => {
    const received: Buffer[] = [];
    let ended = false;
    const server = await startServer((socket) => {
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('end', () => (ended = true));
    });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const block = Buffer.alloc(64 * 1024);
      const expected = createHash('sha256');
      let round = 0;
      pair.writeStream.setClient(StreamEvent.CanAcceptBytes, (ws) => {
        while (round < 64) {
          block.fill(round); // the same buffer, rewritten for every write
          const n = ws.write(block, block.length);
          if (n <= 0) return;
          expected.update(block.subarray(0, n));
          if (n < block.length) return; // rewritten next time from the start of a new round
          round++;
        }
        ws.close();
      });
      pair.writeStream.open();
      await waitFor(() => ended, 10_000, 'the FIN');
      const actual = createHash('sha256').update(Buffer.concat(received)).digest('hex');
      assert.equal(actual, expected.digest('hex'));
      pair.close();
    } finally {
      await server.close();
    }
  });
});
