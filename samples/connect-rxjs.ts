/**
 * Connect to a Bonjour service by name and follow the streams with RxJS.
 *
 *   node scripts/in-private-network.mjs node --import tsx samples/connect-rxjs.ts
 *
 * `events$` emits `{ type, stream, error? }` on the stream's run loop and
 * completes after EndEncountered or ErrorOccurred. A RunLoop is an RxJS
 * scheduler too, so `observeOn(RunLoop.main)` moves other work onto it.
 */
import { filter, firstValueFrom, map, takeWhile, tap, toArray } from 'rxjs';
import { createPairWithSocketToNetService, NetService, StreamEvent } from '../src/index.js';
import { startEchoService } from './support/echo-service.js';

const echo = await startEchoService('RxJS Echo');
const pair = createPairWithSocketToNetService(NetService.parse(echo.instance));

// Write once the write stream can accept bytes, then half-close.
pair.writeStream.events$
  .pipe(filter((event) => event.type === StreamEvent.CanAcceptBytes))
  .subscribe(({ stream }) => {
    const line = Buffer.from('hello from RxJS\n');
    if (stream.write(line, line.length) === line.length) stream.close();
  });

// Read until the end; the buffer fills from HasBytesAvailable events.
const buffer = Buffer.alloc(4096);
const received = firstValueFrom(
  pair.readStream.events$.pipe(
    tap((event) => {
      if (event.type === StreamEvent.ErrorOccurred) throw event.error;
    }),
    takeWhile((event) => event.type !== StreamEvent.EndEncountered),
    filter((event) => event.type === StreamEvent.HasBytesAvailable),
    map(({ stream }) => buffer.subarray(0, stream.read(buffer, buffer.length)).toString()),
    toArray(),
    map((chunks) => chunks.join('')),
  ),
);

pair.open();
try {
  process.stdout.write(`echoed: ${await received}`);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  pair.close();
  await echo.stop();
}
