/**
 * One fresh-process measurement for bench/bonjour-open.ts: open a connection
 * to a Bonjour service by name and time it from the first call to the first
 * echoed byte; print one JSON line. Runs inside a private network namespace.
 *
 *   node --import tsx bench/bonjour-client.ts ours|crowd|bonjour-service NAME
 *
 * ours: createPairWithSocketToNetService, cold (engine start included), then
 *   `again`: a fresh engine (empty cache, new sockets) at once, as a second
 *   process within one second would; then warm opens (cached) beside raw TCP
 *   connects to the same address, and a phase breakdown.
 * crowd: 1,000 concurrent pairs to one unresolved service; queries on the wire.
 * bonjour-service: Bonjour().find() until the name shows, then net.connect.
 */
import { connect, type Socket } from 'node:net';
import { StreamEvent } from '../src/constants.js';
import { getMdnsEngine, resetMdnsEngine } from '../src/mdns/index.js';
import { NetService } from '../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../src/stream/stream-pair.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('bonjour-client sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const [mode = 'ours', name = ''] = process.argv.slice(2);
const BYTE = Buffer.from('x');

/** Creates a pair to `service` and resolves with ms until the first echoed byte. */
function openPair(service: NetService): Promise<number> {
  const started = performance.now();
  const pair = createPairWithSocketToNetService(service);
  return new Promise((resolve, reject) => {
    const buffer = Buffer.alloc(16);
    pair.writeStream.setClient(StreamEvent.CanAcceptBytes | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) reject(s.copyError());
      else if (s.write(BYTE, 1) === 1) s.setClient(0, null);
    });
    pair.readStream.setClient(StreamEvent.HasBytesAvailable | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) {
        reject(s.copyError());
        return;
      }
      if (s.read(buffer, buffer.length) > 0) {
        const ms = performance.now() - started;
        pair.close();
        resolve(ms);
      }
    });
    pair.open();
  });
}

/** A raw TCP connect + one echoed byte, for the warm-open comparison. */
function rawOpen(address: string, port: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: address, port, noDelay: true }, () =>
      socket.write(BYTE),
    );
    socket.once('data', () => {
      const ms = performance.now() - started;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', reject);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function ours(): Promise<Record<string, unknown>> {
  const cold = await openPair(NetService.parse(name));
  // A second cold open within one second: new engine, empty cache, new sockets.
  resetMdnsEngine();
  const again = await openPair(NetService.parse(name));
  const service = NetService.parse(name);
  const resolved = await service.resolveForConnect(new AbortController().signal);
  const address = resolved.addresses.find((a) => a.family === 4)?.address ?? '';
  const warm: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 41; i++) {
    warm.push(await openPair(service));
    raw.push(await rawOpen(address, resolved.port));
  }
  // Phases of one more cold open, engine started by hand.
  resetMdnsEngine();
  const t0 = performance.now();
  const engine = getMdnsEngine();
  await engine.ready();
  const t1 = performance.now();
  const r = await NetService.parse(name).resolveForConnect(new AbortController().signal);
  const t2 = performance.now();
  const connectMs = await rawOpen(r.addresses.find((a) => a.family === 4)?.address ?? '', r.port);
  resetMdnsEngine();
  return {
    cold,
    again,
    warm: median(warm),
    raw: median(raw),
    phases: { engineStart: t1 - t0, resolve: t2 - t1, connectEcho: connectMs },
  };
}

async function crowd(): Promise<Record<string, unknown>> {
  const service = NetService.parse(name);
  const engine = getMdnsEngine();
  const started = performance.now();
  let inFirstSecond = -1;
  const timer = setTimeout(() => {
    inFirstSecond = engine.querier.packetsSent;
  }, 1000);
  const times = await Promise.all(Array.from({ length: 1000 }, () => openPair(service)));
  const allOpen = performance.now() - started;
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - allOpen) + 10));
  clearTimeout(timer);
  resetMdnsEngine();
  return { pairs: times.length, allOpenMs: allOpen, queriesFirstSecond: inFirstSecond };
}

async function bonjourService(): Promise<Record<string, unknown>> {
  const { Bonjour } = await import('bonjour-service');
  const started = performance.now();
  const instance = name.split('._')[0] ?? name;
  const type = /\._([^.]+)\._tcp/.exec(name)?.[1] ?? 'echo';
  const bonjour = new Bonjour();
  const service = await new Promise<{ addresses?: string[]; port: number }>((resolve) => {
    const browser = bonjour.find({ type }, (s) => {
      if (s.name === instance) {
        browser.stop();
        resolve(s as unknown as { addresses?: string[]; port: number });
      }
    });
  });
  // Its address list starts with ::1 on a loopback host; take IPv4 as the other clients do.
  const addresses = service.addresses ?? [];
  const address = addresses.find((a) => !a.includes(':')) ?? addresses[0] ?? '';
  await rawOpen(address, service.port);
  const ms = performance.now() - started;
  bonjour.destroy();
  return { cold: ms };
}

const run = mode === 'crowd' ? crowd : mode === 'bonjour-service' ? bonjourService : ours;
run().then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ mode, ...result })}\n`);
    process.exit(0);
  },
  (error: Error) => {
    process.stdout.write(`${JSON.stringify({ mode, error: error.message })}\n`);
    process.exit(1);
  },
);
