/**
 * Connect to a Bonjour service by name and use the pair as a Node Duplex.
 *
 *   node scripts/in-private-network.mjs node --import tsx samples/connect-duplex.ts
 *
 * `pair.toDuplex()` opens the pair and moves bytes with backpressure both
 * ways: ending the writable side half-closes the connection (FIN), and the
 * readable side ends when the peer closes. Errors are StreamErrors.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createPairWithSocketToNetService, NetService } from '../src/index.js';
import { startEchoService } from './support/echo-service.js';

const echo = await startEchoService('Duplex Echo');
const pair = createPairWithSocketToNetService(NetService.parse(echo.instance));
const duplex = pair.toDuplex();

const chunks: Buffer[] = [];
try {
  await Promise.all([
    pipeline(Readable.from(['one\n', 'two\n', 'three\n']), duplex),
    pipeline(
      duplex,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
    ),
  ]);
  process.stdout.write(`echoed:\n${Buffer.concat(chunks).toString()}`);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  pair.close();
  await echo.stop();
}
