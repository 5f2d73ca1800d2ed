/**
 * The main demo: publish an echo service on the local network, then connect
 * to it by its Bonjour name and print every stream event.
 *
 *   npm run demo
 *
 * It runs inside a private network namespace (scripts/in-private-network.mjs),
 * so its mDNS never reaches the real network.
 */
import { createServer } from 'node:net';
import {
  createPairWithSocketToNetService,
  NetService,
  StreamEvent,
  type StreamEventType,
} from '../src/index.js';

const eventName = (type: StreamEventType): string =>
  Object.entries(StreamEvent).find(([, value]) => value === type)?.[0] ?? String(type);

// 1. An ordinary TCP echo server on a free port.
const server = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
await new Promise<void>((resolve) => server.listen(0, resolve));
const { port } = server.address() as { port: number };

// 2. Advertise it as "Demo Echo._echo._tcp.local.".
const published = new NetService('local.', '_echo._tcp.', 'Demo Echo', port);
const name = await published.publish({ txt: { path: '/', version: '1' } });
console.log(`published "${name}" on port ${port}`);

// 3. Connect by name: the pair resolves the service on open.
const pair = createPairWithSocketToNetService(NetService.parse(`${name}._echo._tcp.local.`));
const message = Buffer.from('hello over Bonjour\n');
const started = performance.now();
const ms = (): string => `${(performance.now() - started).toFixed(1)} ms`;

pair.writeStream.setClient(31, (stream, type) => {
  console.log(`write stream: ${eventName(type)} (${ms()})`);
  if (type === StreamEvent.CanAcceptBytes && stream.write(message, message.length) > 0)
    stream.close();
});
pair.readStream.setClient(31, (stream, type) => {
  console.log(`read stream:  ${eventName(type)} (${ms()})`);
  if (type === StreamEvent.HasBytesAvailable) {
    const buffer = Buffer.alloc(1024);
    const n = stream.read(buffer, buffer.length);
    process.stdout.write(`  echoed: ${buffer.subarray(0, n).toString()}`);
  } else if (type === StreamEvent.EndEncountered || type === StreamEvent.ErrorOccurred) {
    if (type === StreamEvent.ErrorOccurred) console.log(`  error: ${stream.copyError()?.message}`);
    void finish(type === StreamEvent.ErrorOccurred ? 1 : 0);
  }
});
pair.open();

async function finish(code: number): Promise<void> {
  pair.close();
  await published.stop();
  server.close();
  process.exitCode = code;
}
