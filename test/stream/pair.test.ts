/** The pair API over loopback TCP: events, properties, bad input, scheduling and the CF aliases. */
import assert from 'node:assert/strict';
import { firstValueFrom, toArray } from 'rxjs';
import * as cf from '../../src/cf-functions.js';
import {
  kCFRunLoopDefaultMode,
  kCFStreamPropertyShouldCloseNativeSocket,
  kCFStreamPropertySocketNativeHandle,
  kCFStreamPropertySocketRemoteHost,
  StreamEvent,
  StreamStatus,
} from '../../src/constants.js';
import { Host } from '../../src/host/host.js';
import { RunLoop } from '../../src/runloop.js';
import { createPairWithSocket, createPairWithSocketToHost } from '../../src/stream/stream-pair.js';
import { sleep, startEchoServer, startServer, waitFor } from '../support/tcp-peers.js';

describe('StreamPair', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeEach(async () => {
    echo = await startEchoServer();
  });
  afterEach(async () => {
    await echo.close();
  });

  it('does no I/O on creation and opens lazily', async () => {
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    await sleep(30);
    assert.equal(echo.sockets.size, 0);
    assert.equal(pair.readStream.getStatus(), StreamStatus.NotOpen);
    assert.equal(pair.readStream.open(), true);
    assert.equal(pair.readStream.open(), false);
    assert.equal(pair.readStream.getStatus(), StreamStatus.Opening);
    await waitFor(() => pair.readStream.getStatus() === StreamStatus.Open);
    // The write stream joins the same connection: still one socket on the server.
    pair.writeStream.open();
    await waitFor(() => pair.writeStream.getStatus() === StreamStatus.Open);
    assert.equal(echo.sockets.size, 1);
    pair.close();
  });

  it('delivers OpenCompleted first, in order, never inside the call that caused it', async () => {
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    const events: string[] = [];
    let inCall = false;
    const call = <T>(fn: () => T): T => {
      inCall = true;
      try {
        return fn();
      } finally {
        inCall = false;
      }
    };
    const done = new Promise<void>((resolve) => {
      pair.readStream.setClient(31, (stream, type) => {
        assert.equal(inCall, false, 'callback ran inside a call');
        events.push(`r${type}`);
        if (type === StreamEvent.HasBytesAvailable) {
          const buffer = Buffer.alloc(1);
          call(() => stream.read(buffer, 1));
          if (buffer.toString() === 'c') call(() => pair.writeStream.close());
        }
        if (type === StreamEvent.EndEncountered) resolve();
      });
      pair.writeStream.setClient(31, (stream, type) => {
        assert.equal(inCall, false, 'callback ran inside a call');
        events.push(`w${type}`);
        if (type === StreamEvent.OpenCompleted) call(() => stream.write(Buffer.from('abc'), 3));
      });
    });
    call(() => pair.readStream.open());
    call(() => pair.writeStream.open());
    await done;
    assert.equal(events[0], 'r1');
    assert.ok(events.indexOf('w1') < events.indexOf('w4'));
    assert.equal(events.filter((e) => e === 'r16').length, 1);
    assert.equal(events.at(-1), 'r16');
    pair.readStream.close();
    const after = events.length;
    await sleep(20);
    assert.equal(events.length, after);
  });

  it('re-arms HasBytesAvailable after a read that leaves bytes, and not otherwise', async () => {
    const server = await startServer((socket) => socket.end(Buffer.alloc(10, 1)));
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const rs = pair.readStream;
      let hasBytes = 0;
      let reads = 0;
      const one = Buffer.alloc(1);
      await new Promise<void>((resolve) => {
        rs.setClient(31, (_s, type) => {
          if (type === StreamEvent.HasBytesAvailable) {
            hasBytes++;
            reads += rs.read(one, 1);
          }
          if (type === StreamEvent.EndEncountered) resolve();
        });
        rs.open();
      });
      assert.equal(reads, 10);
      assert.equal(hasBytes, 10);
      assert.equal(rs.read(one, 1), 0);
      assert.equal(rs.getStatus(), StreamStatus.AtEnd);
      pair.close();
    } finally {
      await server.close();
    }
  });

  it('emits events$ on the run loop and completes at end', async () => {
    const server = await startServer((socket) => socket.end('hi'));
    try {
      const pair = createPairWithSocketToHost('127.0.0.1', server.port);
      const rs = pair.readStream;
      const all = firstValueFrom(rs.events$.pipe(toArray()));
      rs.setClient(StreamEvent.HasBytesAvailable, (s) => s.read(Buffer.alloc(10), 10));
      rs.open();
      const types = (await all).map((e) => e.type);
      assert.deepEqual(types, [
        StreamEvent.OpenCompleted,
        StreamEvent.HasBytesAvailable,
        StreamEvent.EndEncountered,
      ]);
      pair.close();
      // A closed stream's events$ completes at once.
      assert.deepEqual(await firstValueFrom(rs.events$.pipe(toArray())), []);
    } finally {
      await server.close();
    }
  });

  it('holds events while unscheduled and delivers them on the run loop it is scheduled on', async () => {
    const loop = new RunLoop();
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    const ws = pair.writeStream;
    const events: number[] = [];
    ws.setClient(StreamEvent.OpenCompleted, (_s, t) => events.push(t));
    ws.unscheduleFromRunLoop(RunLoop.main, kCFRunLoopDefaultMode);
    ws.open();
    await waitFor(() => ws.getStatus() === StreamStatus.Open);
    await sleep(20);
    assert.deepEqual(events, []);
    loop.currentMode = 'Waiting';
    ws.scheduleWithRunLoop(loop, kCFRunLoopDefaultMode);
    await sleep(20);
    assert.deepEqual(events, [], 'delivered in a mode the loop is not running');
    loop.currentMode = kCFRunLoopDefaultMode;
    await waitFor(() => events.length === 1);
    assert.deepEqual(events, [StreamEvent.OpenCompleted]);
    pair.close();
  });

  it('reports the remote host of a pair to a literal address, a name or a Host', () => {
    const remote = (host: string | Host): Host =>
      createPairWithSocketToHost(host, echo.port).readStream.copyProperty(
        kCFStreamPropertySocketRemoteHost,
      ) as Host;
    const v4 = remote(' 127.0.0.1 ');
    assert.ok(v4 instanceof Host);
    assert.equal(v4.name, undefined);
    assert.deepEqual(v4.addresses, [{ address: '127.0.0.1', family: 4 }]);
    assert.deepEqual(remote('[::1]').addresses, [{ address: '::1', family: 6 }]);
    assert.equal(remote('example.invalid').name, 'example.invalid');
    const given = Host.withName('localhost');
    assert.equal(remote(given), given);
    assert.throws(() => createPairWithSocketToHost('  ', echo.port), TypeError);
  });

  it('parses each literal address string for itself, the same one again and again too', () => {
    const addressOf = (host: string): unknown =>
      (
        createPairWithSocketToHost(host, echo.port).readStream.copyProperty(
          kCFStreamPropertySocketRemoteHost,
        ) as Host
      ).addresses;
    for (const [host, address] of [
      ['127.0.0.1', { address: '127.0.0.1', family: 4 }],
      ['127.0.0.1', { address: '127.0.0.1', family: 4 }],
      ['127.0.0.2', { address: '127.0.0.2', family: 4 }],
      ['[::1]', { address: '::1', family: 6 }],
      ['[::1]', { address: '::1', family: 6 }],
      ['127.0.0.2', { address: '127.0.0.2', family: 4 }],
    ] as const)
      assert.deepEqual(addressOf(host), [address], host);
    assert.equal(
      (
        createPairWithSocketToHost('127.0.0.2.example', echo.port).readStream.copyProperty(
          kCFStreamPropertySocketRemoteHost,
        ) as Host
      ).name,
      '127.0.0.2.example',
    );
    // The port is checked every time, whatever is remembered of the address.
    assert.throws(() => createPairWithSocketToHost('127.0.0.2', 70_000), RangeError);
  });

  it('shares properties between the streams and checks their type and timing', () => {
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    const { readStream: rs, writeStream: ws } = pair;
    assert.equal(rs.copyProperty(kCFStreamPropertyShouldCloseNativeSocket), true);
    assert.equal(ws.setProperty(kCFStreamPropertyShouldCloseNativeSocket, false), true);
    assert.equal(rs.copyProperty(kCFStreamPropertyShouldCloseNativeSocket), false);
    assert.throws(() => rs.setProperty(kCFStreamPropertyShouldCloseNativeSocket, 'yes'), TypeError);
    assert.equal(rs.setProperty('NoSuchProperty', 1), false);
    assert.equal(rs.setProperty(kCFStreamPropertySocketNativeHandle, 3), false);
    assert.ok(rs.copyProperty(kCFStreamPropertySocketRemoteHost) instanceof Host);
    assert.equal(rs.copyProperty(kCFStreamPropertySocketNativeHandle), undefined);
    // The CF aliases answer false where the methods throw.
    assert.equal(
      cf.CFReadStreamSetProperty(rs, kCFStreamPropertyShouldCloseNativeSocket, 'yes'),
      false,
    );
    pair.close();
  });

  it('exposes the native socket handle once open', async () => {
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    pair.writeStream.open();
    await waitFor(() => pair.writeStream.getStatus() === StreamStatus.Open);
    const fd = pair.writeStream.copyProperty(kCFStreamPropertySocketNativeHandle);
    assert.equal(typeof fd, 'number');
    assert.ok((fd as number) > 2);
    pair.close();
  });

  it('refuses bad arguments with clear errors', () => {
    assert.throws(
      () => createPairWithSocketToHost('127.0.0.1', 70000),
      /port must be an integer from 1 to 65535/,
    );
    assert.throws(() => createPairWithSocketToHost('127.0.0.1', -1), RangeError);
    assert.throws(() => createPairWithSocketToHost('127.0.0.1', 1.5), RangeError);
    assert.throws(
      () => createPairWithSocketToHost('127.0.0.1', '80' as unknown as number),
      RangeError,
    );
    assert.throws(
      () => createPairWithSocketToHost(42 as unknown as string, 80),
      /host must be a Host or a string/,
    );
    assert.throws(() => createPairWithSocketToHost('', 80), /must not be empty/);
    assert.throws(() => Host.withAddress('not-an-ip'), TypeError);
    assert.throws(() => createPairWithSocket({} as never), /connected net.Socket/);
    const pair = createPairWithSocketToHost('127.0.0.1', echo.port);
    assert.throws(() => pair.readStream.read('x' as unknown as Uint8Array, 1), TypeError);
    assert.throws(() => pair.readStream.read(Buffer.alloc(4), 5), RangeError);
    assert.throws(() => pair.writeStream.write(Buffer.alloc(4), -1), RangeError);
    assert.throws(() => pair.readStream.setClient(31, 'cb' as never), TypeError);
    // Not open: read and write answer -1, as CF does.
    assert.equal(pair.readStream.read(Buffer.alloc(4), 4), -1);
    assert.equal(pair.writeStream.write(Buffer.alloc(4), 4), -1);
    assert.deepEqual(pair.readStream.getError(), { domain: 0, error: 0 });
    assert.equal(pair.readStream.copyError(), null);
    pair.close();
    assert.equal(pair.readStream.getStatus(), StreamStatus.Closed);
    assert.equal(pair.readStream.open(), false);
  });

  it('creates only the requested side through the CF function', async () => {
    const { readStream, writeStream } = cf.CFStreamCreatePairWithSocketToCFHost(
      cf.kCFAllocatorDefault,
      cf.CFHostCreateWithName(null, '127.0.0.1'),
      echo.port,
      null,
      undefined,
    );
    assert.equal(readStream, null);
    assert.ok(writeStream !== null);
    const events: number[] = [];
    cf.CFWriteStreamSetClient(writeStream, 31, (_s, t) => events.push(t));
    assert.equal(cf.CFWriteStreamOpen(writeStream), true);
    await waitFor(() => events.includes(StreamEvent.CanAcceptBytes));
    assert.equal(cf.CFWriteStreamCanAcceptBytes(writeStream), true);
    assert.equal(cf.CFWriteStreamWrite(writeStream, Buffer.from('x'), 1), 1);
    assert.equal(cf.CFWriteStreamGetStatus(writeStream), StreamStatus.Open);
    cf.CFWriteStreamClose(writeStream);
    assert.equal(cf.CFRunLoopGetMain(), RunLoop.main);
  });

  it('wraps an accepted socket and leaves it open on close by default', async () => {
    let accepted: import('node:net').Socket | undefined;
    const server = await startServer((socket) => (accepted = socket));
    try {
      const client = createPairWithSocketToHost('127.0.0.1', server.port);
      client.open();
      await waitFor(() => accepted !== undefined);
      const serverPair = createPairWithSocket(accepted!);
      assert.equal(
        serverPair.readStream.copyProperty(kCFStreamPropertyShouldCloseNativeSocket),
        false,
      );
      const duplex = serverPair.toDuplex();
      duplex.write('ping');
      const got = Buffer.alloc(4);
      await waitFor(() => client.readStream.hasBytesAvailable());
      assert.equal(client.readStream.read(got, 4), 4);
      assert.equal(got.toString(), 'ping');
      serverPair.close();
      duplex.destroy();
      await sleep(20);
      assert.equal(accepted!.destroyed, false);
      client.close();
    } finally {
      await server.close();
    }
  });
});
