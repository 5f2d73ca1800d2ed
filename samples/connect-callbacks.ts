/**
 * Connect to a Bonjour service by name with CF-style client callbacks.
 *
 *   node scripts/in-private-network.mjs node --import tsx samples/connect-callbacks.ts
 *
 * `setClient(mask, callback)` is CFReadStreamSetClient: the callback gets
 * `(stream, eventType)` on the stream's run loop (RunLoop.main unless you
 * schedule it elsewhere), never inside the call that caused the event.
 * HasBytesAvailable and CanAcceptBytes are re-armed by read() and write().
 * The sample publishes its own echo service first, so it needs no setup; the
 * wrapper above keeps its mDNS inside a private network namespace.
 */
import {
  createPairWithSocketToNetService,
  kCFRunLoopDefaultMode,
  NetService,
  RunLoop,
  StreamEvent,
} from '../src/index.js';
import { startEchoService } from './support/echo-service.js';

const echo = await startEchoService('Callbacks Echo');

// Creating the pair does no I/O; open() resolves the name, then connects.
const pair = createPairWithSocketToNetService(NetService.parse(echo.instance));
const { readStream, writeStream } = pair;
readStream.scheduleWithRunLoop(RunLoop.main, kCFRunLoopDefaultMode);
writeStream.scheduleWithRunLoop(RunLoop.main, kCFRunLoopDefaultMode);

let outgoing = Buffer.from('hello by name\nwith callbacks\n');
writeStream.setClient(StreamEvent.CanAcceptBytes | StreamEvent.ErrorOccurred, (stream, type) => {
  if (type === StreamEvent.ErrorOccurred) return fail(stream.copyError());
  const n = stream.write(outgoing, outgoing.length); // may take fewer bytes than offered
  outgoing = outgoing.subarray(n);
  if (outgoing.length === 0) stream.close(); // half-close: the echo server ends its side too
});

const buffer = Buffer.alloc(4096);
const mask = StreamEvent.OpenCompleted | StreamEvent.HasBytesAvailable | StreamEvent.EndEncountered;
readStream.setClient(mask | StreamEvent.ErrorOccurred, (stream, type) => {
  switch (type) {
    case StreamEvent.OpenCompleted:
      console.log(`connected to ${echo.instance}`);
      break;
    case StreamEvent.HasBytesAvailable: {
      const n = stream.read(buffer, buffer.length);
      process.stdout.write(`echoed: ${buffer.subarray(0, n).toString()}`);
      break;
    }
    case StreamEvent.EndEncountered:
      console.log('the server closed its side');
      void finish();
      break;
    case StreamEvent.ErrorOccurred:
      fail(stream.copyError());
      break;
  }
});
pair.open();

function fail(error: Error | null): void {
  // StreamError carries CF's domain and code: match on those, not on the message.
  console.error(`error: ${error?.message}`);
  process.exitCode = 1;
  void finish();
}

async function finish(): Promise<void> {
  pair.close();
  await echo.stop();
}
