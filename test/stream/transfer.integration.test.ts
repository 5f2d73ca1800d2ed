/**
 * Pairs over real loopback TCP: bulk echo, backpressure both ways, resets,
 * half-close, and closing while resolving or connecting.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { StreamEvent, StreamStatus } from '../../src/constants.js';
import { ErrorDomain } from '../../src/error-codes.js';
import { registerLocalNameResolver } from '../../src/host/host-resolver.js';
import { READ_HIGH_WATER_MARK } from '../../src/stream/read-stream.js';
import { createPairWithSocketToHost } from '../../src/stream/stream-pair.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startStalledListener } from '../support/stalled-listener.js';
import { sleep, startEchoServer, startServer, waitFor } from '../support/tcp-peers.js';

const MiB = 1024 * 1024;

/**
 * A pair whose peer accepts and does not read until told (`peer().resume()`),
 * its write stream open with a client recording events, after its first
 * CanAcceptBytes.
 */
async function pairToPausedPeer() {
  let accepted: Socket | undefined;
  const server = await startServer((socket) => {
    accepted = socket;
    socket.pause();
  });
  const pair = createPairWithSocketToHost('127.0.0.1', server.port);
  const events: number[] = [];
  pair.writeStream.setClient(31, (_s, type) => events.push(type));
  pair.writeStream.open();
  await waitFor(() => events.includes(StreamEvent.CanAcceptBytes), 5000, 'first CanAcceptBytes');
  await waitFor(() => accepted !== undefined, 5000, 'the peer to accept');
  return { server, pair, events, peer: (): Socket => accepted as Socket };
}

describe('pairs over loopback TCP', function () {
  this.timeout(60_000);
  before(requirePrivateNetwork);

  it('echoes 64 MiB through the CF-style API with equal SHA-256', async () => {
    const echo = await startEchoServer();
    try {
      const data = randomBytes(64 * MiB);
      const result = await echoThroughCF(createPairWithSocketToHost('127.0.0.1', echo.port), data);
      assert.equal(result.bytes, data.length);
      assert.equal(result.sha256, sha256(data));
    } finally {
      await echo.close();
    }
  });

  it('echoes 64 MiB through toDuplex() with equal SHA-256', async () => {
    const echo = await startEchoServer();
    try {
      const data = randomBytes(64 * MiB);
      const duplex = createPairWithSocketToHost('localhost', echo.port).toDuplex();
      const hash = createHash('sha256');
      let bytes = 0;
      await Promise.all([
        pipeline(
          (async function* () {
            for (let i = 0; i < data.length; i += MiB) yield data.subarray(i, i + MiB);
          })(),
          duplex,
        ),
        (async () => {
          for await (const chunk of duplex) {
            hash.update(chunk as Buffer);
            bytes += (chunk as Buffer).length;
          }
        })(),
      ]);
      assert.equal(bytes, data.length);
      assert.equal(hash.digest('hex'), sha256(data));
    } finally {
      await echo.close();
    }
  });

  it('bounds what a reader that stops reading holds, then delivers everything', async () => {
    const data = randomBytes(16 * MiB);
    const server = await startServer((socket) => socket.end(data));
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      let maxBuffered = 0;
      let hasBytesEvents = 0;
      pair.readStream.setClient(StreamEvent.HasBytesAvailable, () => hasBytesEvents++);
      pair.readStream.open();
      // Not reading: the buffer must stop near the high-water mark while the server has 16 MiB to send.
      await waitFor(
        () => pair.readStream.bufferedLength >= READ_HIGH_WATER_MARK,
        5000,
        'buffer to fill',
      );
      await sleep(200);
      maxBuffered = pair.readStream.bufferedLength;
      assert.ok(
        maxBuffered < READ_HIGH_WATER_MARK + 2 * 64 * 1024,
        `buffered ${maxBuffered} bytes`,
      );
      // One event per arming, not a flood while nobody reads.
      assert.equal(hasBytesEvents, 1);
      const hash = createHash('sha256');
      let total = 0;
      const chunk = Buffer.alloc(64 * 1024);
      await new Promise<void>((resolve, reject) => {
        const drain = (): void => {
          for (;;) {
            const n = pair.readStream.read(chunk, chunk.length);
            if (n > 0) {
              hash.update(chunk.subarray(0, n));
              total += n;
              maxBuffered = Math.max(maxBuffered, pair.readStream.bufferedLength);
            } else break;
          }
        };
        pair.readStream.setClient(31, (_s, type) => {
          if (type === StreamEvent.HasBytesAvailable) drain();
          if (type === StreamEvent.EndEncountered) resolve();
          if (type === StreamEvent.ErrorOccurred) reject(pair.readStream.copyError());
        });
        drain();
      });
      pair.close();
      assert.equal(total, data.length);
      assert.equal(hash.digest('hex'), sha256(data));
      assert.ok(maxBuffered < READ_HIGH_WATER_MARK + 2 * 64 * 1024);
    } finally {
      await server.close();
    }
  });

  it('fills a 1 MiB read() in one call once a MiB has arrived', async () => {
    const data = randomBytes(4 * MiB);
    const server = await startServer((socket) => socket.end(data));
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      pair.readStream.open();
      // Up to 256 KiB (and a chunk) were buffered before the socket paused: a 1 MiB read got at most that.
      await waitFor(() => pair.readStream.bufferedLength >= MiB, 5000, 'a MiB buffered');
      const buffer = Buffer.alloc(MiB);
      assert.equal(pair.readStream.read(buffer, MiB), MiB);
      assert.ok(buffer.equals(data.subarray(0, MiB)));
      pair.close();
    } finally {
      await server.close();
    }
  });

  it('takes a 1 MiB write() in one call when nothing is queued', async () => {
    const { server, pair } = await pairToPausedPeer();
    try {
      // Nothing queued yet: the whole MiB is under the high-water mark (it took 256 KiB per call before).
      assert.equal(pair.writeStream.write(Buffer.alloc(MiB, 3), MiB), MiB);
      pair.close();
    } finally {
      await server.close();
    }
  });

  it('takes less than offered from a writer whose peer does not read, then signals CanAcceptBytes', async () => {
    const { server, pair, events, peer } = await pairToPausedPeer();
    try {
      const ws = pair.writeStream;
      const block = Buffer.alloc(1 * MiB, 7);
      // The kernel takes what it can at once; once its buffers are full, write() takes at most the
      // high-water mark, then nothing.
      let taken = 0;
      let shortWrites = 0;
      let n = -1;
      for (let i = 0; i < 1000 && n !== 0; i++) {
        n = ws.write(block, block.length);
        assert.ok(n >= 0);
        taken += n;
        if (n < block.length) shortWrites++;
      }
      assert.equal(n, 0, 'write() kept taking bytes for a peer that does not read');
      assert.ok(shortWrites >= 1);
      assert.equal(ws.canAcceptBytes(), false);
      const before = events.filter((t) => t === StreamEvent.CanAcceptBytes).length;
      let got = 0;
      peer().on('data', (d: Buffer) => (got += d.length));
      peer().resume();
      await waitFor(
        () => events.filter((t) => t === StreamEvent.CanAcceptBytes).length > before,
        5000,
        'CanAcceptBytes',
      );
      pair.close();
      await waitFor(() => got === taken, 5000, 'peer to receive every byte taken');
    } finally {
      await server.close();
    }
  });

  for (const order of ['write then read', 'read then write', 'pair.close()'] as const)
    it(`closing (${order}) with bytes still queued delivers every byte write() took, then FIN`, async () => {
      const { server, pair, peer } = await pairToPausedPeer();
      try {
        const ws = pair.writeStream;
        pair.readStream.open();
        // Until write() refuses: the kernel's buffers are full and Node's holds the rest.
        const block = Buffer.alloc(256 * 1024, 9);
        let taken = 0;
        for (let n = -1, i = 0; i < 1000 && n !== 0; i++) {
          n = ws.write(block, block.length);
          taken += n;
        }
        if (order === 'write then read') {
          ws.close();
          pair.readStream.close();
        } else if (order === 'read then write') {
          pair.readStream.close();
          ws.close();
        } else pair.close();
        let got = 0;
        let ended = false;
        peer().on('data', (d: Buffer) => (got += d.length));
        peer().on('end', () => (ended = true));
        peer().resume();
        await waitFor(() => ended, 5000, 'FIN');
        assert.equal(got, taken, 'bytes write() took were dropped at close');
      } finally {
        await server.close();
      }
    });

  it('reports a peer reset once, after every byte received before it', async () => {
    // Less than the high-water mark, so every byte is in our buffer before the reset arrives.
    const data = randomBytes(200 * 1024);
    let peer: Socket | undefined;
    const server = await startServer((socket) => {
      peer = socket;
      socket.write(data);
    });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const rs = pair.readStream;
      const events: number[] = [];
      rs.setClient(31, (_s, type) => events.push(type));
      rs.open();
      await waitFor(() => rs.bufferedLength === data.length, 5000, 'all bytes buffered');
      peer!.resetAndDestroy();
      await sleep(100);
      // The reset has arrived, but the bytes before it come first.
      assert.equal(rs.getStatus(), StreamStatus.Open);
      const out = Buffer.alloc(data.length + 10);
      assert.equal(rs.read(out, out.length), data.length);
      assert.equal(sha256(out.subarray(0, data.length)), sha256(data));
      await waitFor(() => events.includes(StreamEvent.ErrorOccurred), 5000, 'ErrorOccurred');
      await sleep(50);
      assert.deepEqual(
        events.filter((t) => t === StreamEvent.ErrorOccurred || t === StreamEvent.EndEncountered),
        [StreamEvent.ErrorOccurred],
      );
      assert.equal(events[0], StreamEvent.OpenCompleted);
      assert.deepEqual(rs.getError(), { domain: ErrorDomain.POSIX, error: 104 });
      assert.equal(rs.getStatus(), StreamStatus.Error);
      assert.equal(rs.read(out, 1), -1);
      pair.close();
    } finally {
      await server.close();
    }
  });

  it('half-closes our side: 1 MiB sent, FIN, and the peer still answers with 1 MiB', async () => {
    const ours = randomBytes(MiB);
    const theirs = randomBytes(MiB);
    let serverGot: Buffer | undefined;
    const server = await startServer((socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => {
        serverGot = Buffer.concat(parts);
        socket.end(theirs);
      });
    });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const duplex = pair.toDuplex();
      duplex.end(ours);
      const parts: Buffer[] = [];
      for await (const chunk of duplex) parts.push(chunk as Buffer);
      assert.equal(sha256(serverGot!), sha256(ours));
      assert.equal(sha256(Buffer.concat(parts)), sha256(theirs));
      assert.equal(pair.writeStream.getStatus(), StreamStatus.Closed);
    } finally {
      await server.close();
    }
  });

  it('half-closed by the peer: EndEncountered on read, and our 1 MiB still reaches it', async () => {
    const ours = randomBytes(MiB);
    const theirs = randomBytes(MiB);
    let serverGot: Buffer | undefined;
    const server = await startServer((socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => (serverGot = Buffer.concat(parts)));
      socket.end(theirs);
    });
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const parts: Buffer[] = [];
      for await (const chunk of pair.readStream) parts.push(chunk);
      assert.equal(sha256(Buffer.concat(parts)), sha256(theirs));
      // The read side ended and was closed; the write stream still holds the connection and can use it.
      const ws = pair.writeStream;
      assert.equal(pair.readStream.getStatus(), StreamStatus.Closed);
      assert.equal(ws.getStatus(), StreamStatus.NotOpen);
      const writable = ws.toWritable();
      await new Promise<void>((resolve, reject) =>
        writable.end(ours, (error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await waitFor(() => serverGot !== undefined, 5000, 'server to see FIN');
      assert.equal(sha256(serverGot!), sha256(ours));
    } finally {
      await server.close();
    }
  });

  it('reports connection refused as POSIX 111 to both streams', async () => {
    const server = await startServer(() => {});
    const port = server.port;
    await server.close();
    const pair = createPairWithSocketToHost('127.0.0.1', port);
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      let count = 0;
      const done = (): void => {
        if (++count === 2) resolve();
      };
      pair.readStream.setClient(31, (s, type) => {
        seen.push(`r${type}:${s.getError().domain}/${s.getError().error}`);
        done();
      });
      pair.writeStream.setClient(31, (s, type) => {
        seen.push(`w${type}:${s.getError().domain}/${s.getError().error}`);
        done();
      });
      pair.open();
    });
    assert.deepEqual(seen.sort(), ['r8:1/111', 'w8:1/111']);
    pair.close();
  });

  it('reports an unresolvable name in the NetDB domain', async () => {
    const pair = createPairWithSocketToHost('no-such-host.invalid', 80);
    const error = await new Promise<ReturnType<typeof pair.readStream.getError>>((resolve) => {
      pair.readStream.setClient(StreamEvent.ErrorOccurred, (s) => resolve(s.getError()));
      pair.readStream.open();
    });
    assert.equal(error.domain, ErrorDomain.NetDB);
    assert.ok(error.error > 0);
    pair.close();
  });

  it('delivers nothing after close during resolve, and leaves no handle', async () => {
    let lookups = 0;
    const restore = registerLocalNameResolver(async (_name, signal) => {
      lookups++;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      return [];
    });
    try {
      const pair = createPairWithSocketToHost('slow.local', 80);
      const events: number[] = [];
      pair.readStream.setClient(31, (_s, t) => events.push(t));
      pair.writeStream.setClient(31, (_s, t) => events.push(t));
      pair.open();
      await sleep(20);
      assert.equal(lookups, 1);
      pair.close();
      await sleep(50);
      assert.deepEqual(events, []);
      assert.equal(pair.readStream.getStatus(), StreamStatus.Closed);
    } finally {
      restore();
    }
  });

  it('delivers nothing after close during connect, and leaves no handle', async () => {
    const stalled = await startStalledListener();
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', stalled.port);
      const events: number[] = [];
      pair.readStream.setClient(31, (_s, t) => events.push(t));
      pair.writeStream.setClient(31, (_s, t) => events.push(t));
      pair.open();
      await sleep(100);
      assert.equal(pair.readStream.getStatus(), StreamStatus.Opening);
      assert.ok(
        process.getActiveResourcesInfo().includes('TCPSocketWrap'),
        'a connect attempt is under way',
      );
      pair.close();
      await sleep(50);
      assert.deepEqual(events, []);
    } finally {
      await stalled.close();
    }
  });
});
