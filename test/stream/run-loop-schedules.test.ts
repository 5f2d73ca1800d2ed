/**
 * A stream scheduled on several run loops and modes (scheduleWithRunLoop):
 * each event reaches the client once, in order, through the first schedule
 * whose run loop is in that schedule's mode, or, when none is, through the
 * first run loop to switch to one.
 */
import assert from 'node:assert/strict';
import { kCFRunLoopDefaultMode, StreamEvent, StreamStatus } from '../../src/constants.js';
import { RunLoop, type RunLoopMode } from '../../src/runloop.js';
import { createPairWithSocketToHost, type StreamPair } from '../../src/stream/stream-pair.js';
import type { WriteStream } from '../../src/stream/write-stream.js';
import { sleep, startEchoServer, waitFor } from '../support/tcp-peers.js';

const OTHER = 'OtherMode';

// The name of the loop whose task is running now, so a callback can tell which loop delivered it.
let runningLoop: string | undefined;

/** A RunLoop that names itself while its tasks run. */
class NamedLoop extends RunLoop {
  readonly name: string;

  constructor(name: string, mode: RunLoopMode = kCFRunLoopDefaultMode) {
    super();
    this.name = name;
    this.currentMode = mode;
  }

  override post<T>(task: (arg: T) => void, mode?: RunLoopMode, arg?: T): void {
    super.post(
      (value: T) => {
        const outer = runningLoop;
        runningLoop = this.name;
        try {
          task(value);
        } finally {
          runningLoop = outer;
        }
      },
      mode,
      arg,
    );
  }
}

/** Records each event of the write stream with the loop that delivered it. */
function record(ws: WriteStream): Array<[string | undefined, number]> {
  const seen: Array<[string | undefined, number]> = [];
  ws.setClient(StreamEvent.OpenCompleted | StreamEvent.CanAcceptBytes, (_s, type) =>
    seen.push([runningLoop, type]),
  );
  return seen;
}

const BOTH_EVENTS = [StreamEvent.OpenCompleted, StreamEvent.CanAcceptBytes];

describe('scheduling a stream on several run loops and modes', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let pair: StreamPair;
  beforeEach(async () => {
    echo = await startEchoServer();
    pair = createPairWithSocketToHost('127.0.0.1', echo.port);
  });
  afterEach(async () => {
    pair.close();
    await echo.close();
  });

  async function openWriteStream(): Promise<void> {
    pair.writeStream.open();
    await waitFor(() => pair.writeStream.getStatus() === StreamStatus.Open);
  }

  it('delivers each event once, in order, through the first schedule in its mode', async () => {
    const a = new NamedLoop('a');
    const b = new NamedLoop('b');
    const ws = pair.writeStream;
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(b, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode); // twice the same: one schedule
    const seen = record(ws);
    await openWriteStream();
    await waitFor(() => seen.length === 2);
    await sleep(20);
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['a', type]),
    );
  });

  it('delivers through a later schedule when the first run loop is in another mode', async () => {
    const a = new NamedLoop('a', OTHER);
    const b = new NamedLoop('b');
    const ws = pair.writeStream;
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(b, kCFRunLoopDefaultMode);
    const seen = record(ws);
    await openWriteStream();
    await waitFor(() => seen.length === 2, 5000, 'delivery through the second run loop');
    a.currentMode = kCFRunLoopDefaultMode;
    await sleep(20);
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['b', type]),
    );
  });

  it('follows the mode a run loop is in when scheduled there in two modes', async () => {
    const loop = new NamedLoop('modal', OTHER);
    const ws = pair.writeStream;
    ws.scheduleWithRunLoop(loop, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(loop, OTHER);
    const seen = record(ws);
    await openWriteStream();
    await waitFor(() => seen.length === 2, 5000, 'delivery in the modal mode');
    loop.currentMode = kCFRunLoopDefaultMode;
    await sleep(20);
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['modal', type]),
    );
  });

  it('waits while no run loop is in a scheduled mode; the first to switch delivers, once', async () => {
    const a = new NamedLoop('a', OTHER);
    const b = new NamedLoop('b', OTHER);
    const ws = pair.writeStream;
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(b, kCFRunLoopDefaultMode);
    const seen = record(ws);
    await openWriteStream();
    await sleep(20);
    assert.deepEqual(seen, [], 'delivered in a mode no run loop is in');
    b.currentMode = kCFRunLoopDefaultMode;
    await waitFor(() => seen.length === 2, 5000, 'delivery once b switches');
    a.currentMode = kCFRunLoopDefaultMode;
    await sleep(20);
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['b', type]),
    );
  });

  it('never delivers through a run loop the stream was unscheduled from', async () => {
    const a = new NamedLoop('a', OTHER);
    const b = new NamedLoop('b', OTHER);
    const ws = pair.writeStream;
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(b, kCFRunLoopDefaultMode);
    const seen = record(ws);
    await openWriteStream();
    ws.unscheduleFromRunLoop(b, kCFRunLoopDefaultMode);
    b.currentMode = kCFRunLoopDefaultMode;
    await sleep(20);
    assert.deepEqual(seen, [], 'delivered through an unscheduled run loop');
    a.currentMode = kCFRunLoopDefaultMode;
    await waitFor(() => seen.length === 2, 5000, 'delivery through a');
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['a', type]),
    );
  });

  it('delivers waiting events through a run loop scheduled later that is in its mode', async () => {
    const a = new NamedLoop('a', OTHER);
    const b = new NamedLoop('b');
    const ws = pair.writeStream;
    ws.unscheduleFromRunLoop(RunLoop.main, kCFRunLoopDefaultMode);
    ws.scheduleWithRunLoop(a, kCFRunLoopDefaultMode);
    const seen = record(ws);
    await openWriteStream();
    await sleep(20);
    assert.deepEqual(seen, []);
    // The events wait on a (in another mode); adding b, which is in its mode, delivers them there.
    ws.scheduleWithRunLoop(b, kCFRunLoopDefaultMode);
    await waitFor(() => seen.length === 2, 5000, 'delivery through b');
    a.currentMode = kCFRunLoopDefaultMode;
    await sleep(20);
    assert.deepEqual(
      seen,
      BOTH_EVENTS.map((type) => ['b', type]),
    );
  });
});
