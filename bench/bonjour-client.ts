/**
 * One fresh-process measurement for bench/bonjour-open.ts: open a connection
 * to a Bonjour service by name and time it from the first call to the first
 * echoed byte; print one JSON line. Runs inside a private network namespace.
 *
 *   node --import tsx bench/bonjour-client.ts ours|crowd|bonjour-service NAME
 *
 * ours: createPairWithSocketToNetService, cold (engine start included), then
 *   `again`: a fresh engine (empty cache, new sockets) at once, as a second
 *   process within one second would; then a phase breakdown. (Warm opens are
 *   measured in a warmed-up process: bench/warm-open.ts.)
 * crowd: 1,000 concurrent pairs to one unresolved service; queries on the wire.
 * bonjour-service: Bonjour().find() until the name shows, then net.connect.
 *
 * The library is the build in $CFSTREAM_BENCH_BUILD (bench/library.ts), or
 * src through tsx when it is unset; it is imported before any timing starts.
 */
import { pathToFileURL } from 'node:url';
import type { NetService } from '../src/netservice/index.js';
import { pairFirstEcho, rawFirstEcho } from './first-echo.js';

const build = process.env.CFSTREAM_BENCH_BUILD;
const url = (file: string): string =>
  build
    ? pathToFileURL(`${build}/${file}.js`).href
    : new URL(`../src/${file}.ts`, import.meta.url).href;
const { getMdnsEngine, resetMdnsEngine } = (await import(
  url('mdns/index')
)) as typeof import('../src/mdns/index.js');
const { NetService: Service } = (await import(
  url('netservice/index')
)) as typeof import('../src/netservice/index.js');
const { createPairWithSocketToNetService } = (await import(
  url('stream/stream-pair')
)) as typeof import('../src/stream/stream-pair.js');

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('bonjour-client sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const [mode = 'ours', name = ''] = process.argv.slice(2);

/** Creates a pair to `service` and resolves with ms until the first echoed byte. */
const openPair = (service: NetService): Promise<number> =>
  pairFirstEcho(() => createPairWithSocketToNetService(service));

async function ours(): Promise<Record<string, unknown>> {
  const cold = await openPair(Service.parse(name));
  // A second cold open within one second: new engine, empty cache, new sockets.
  resetMdnsEngine();
  const again = await openPair(Service.parse(name));
  // Phases of one more cold open, engine started by hand.
  resetMdnsEngine();
  const t0 = performance.now();
  const engine = getMdnsEngine();
  await engine.ready();
  const t1 = performance.now();
  const r = await Service.parse(name).resolveForConnect(new AbortController().signal);
  const t2 = performance.now();
  const connectMs = await rawFirstEcho(
    r.addresses.find((a) => a.family === 4)?.address ?? '',
    r.port,
  );
  resetMdnsEngine();
  return {
    cold,
    again,
    phases: { engineStart: t1 - t0, resolve: t2 - t1, connectEcho: connectMs },
  };
}

async function crowd(): Promise<Record<string, unknown>> {
  const service = Service.parse(name);
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
  await rawFirstEcho(address, service.port);
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
