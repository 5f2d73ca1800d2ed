/**
 * Memory of a live view (bench/live-services.ts): N instances (PTR, SRV, TXT,
 * A) from 10 hosts reach an engine through a fake network; heap and RSS are
 * read after the cache holds them all, and again once a `services$`-style
 * view (watchServicesWithEngine) has reported every one. Prints one JSON line.
 * Run with --expose-gc; the library is the build in $CFSTREAM_BENCH_BUILD, or
 * src through tsx.
 *
 *   node --expose-gc --import tsx bench/live-memory.ts [instances]
 */
import { pathToFileURL } from 'node:url';
import type { PacketSource, PacketTransport } from '../src/mdns/index.js';

const build = process.env.CFSTREAM_BENCH_BUILD;
const url = (file: string): string =>
  build
    ? pathToFileURL(`${build}/${file}.js`).href
    : new URL(`../src/${file}.ts`, import.meta.url).href;
const mdns = (await import(url('mdns/index'))) as typeof import('../src/mdns/index.js');
const { watchServicesWithEngine } = (await import(
  url('mdns/live-services')
)) as typeof import('../src/mdns/live-services.js');

const N = Number(process.argv[2] ?? 5000);
const TYPE = '_mem._tcp.local';
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** A network that only delivers what the bench injects and drops what the engine sends. */
class QuietTransport implements PacketTransport {
  handler: ((bytes: Buffer, source: PacketSource) => void) | undefined;
  async start(handler: (bytes: Buffer, source: PacketSource) => void): Promise<void> {
    this.handler = handler;
  }
  interfaces() {
    return [
      {
        name: 'eth0',
        addresses: [{ address: '10.0.0.1', netmask: '255.255.0.0', family: 4 as const }],
      },
    ];
  }
  refreshInterfaces(): boolean {
    return false;
  }
  sendMulticast(): void {}
  sendUnicast(): void {}
  sendOneShot(): void {}
  setActive(): void {}
  close(): void {}
}

const net = new QuietTransport();
const MiB = 1024 * 1024;
const engine = new mdns.MdnsEngine(
  // 20,000 records do not fit the default 8 MiB cache budget (docs/guide/bonjour.md, "Cache limits").
  { hostName: 'me.local', limits: { maxCacheBytes: 64 * MiB, maxBytesPerSource: 64 * MiB } },
  net,
);
await engine.ready();
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const rec = (name: string, data: import('../src/mdns/index.js').RecordData, ttl = 4500) => ({
  name,
  rrclass: 1,
  cacheFlush: data.type !== 'PTR',
  ttl,
  data,
});
// The PTR question is asked first, as a browse would: what it asked for is what the cache keeps.
let found = 0;
const stop = watchServicesWithEngine(engine, TYPE, {
  changes: (changes) => {
    found += changes.filter((c) => c.kind === 'found').length;
  },
  failed: (error) => {
    throw error;
  },
});
stop();
const base = heap();
const release = engine.querier.ask(TYPE, mdns.RRType.PTR);
for (let i = 0; i < N; i += 10) {
  const answers = [];
  for (let k = i; k < Math.min(N, i + 10); k++) {
    const instance = `Sensor ${k}.${TYPE}`;
    const host = `host${k % 10}.local`;
    answers.push(
      rec(TYPE, { type: 'PTR', target: instance }),
      rec(
        instance,
        { type: 'SRV', priority: 0, weight: 0, port: 9000 + (k % 1000), target: host },
        120,
      ),
      rec(instance, {
        type: 'TXT',
        strings: [Buffer.from(`index=${k}`), Buffer.from('model=bench')],
      }),
      rec(host, { type: 'A', address: `10.0.${k % 10}.2` }, 120),
    );
  }
  const message = mdns.makeMessage({ flags: mdns.Flag.QR | mdns.Flag.AA, answers });
  net.handler?.(mdns.encodePacket(message), {
    address: `10.0.${i % 10}.2`,
    port: 5353,
    family: 4,
    interfaceName: 'eth0',
    viaOneShot: false,
  });
}
const cached = heap();
const stopView = watchServicesWithEngine(engine, TYPE, {
  changes: (changes) => {
    found += changes.filter((c) => c.kind === 'found').length;
  },
  failed: (error) => {
    throw error;
  },
});
await new Promise((r) => setTimeout(r, 50));
const withView = heap();
const result = {
  instances: N,
  found,
  cacheHeapKiB: (cached - base) / 1024,
  viewHeapKiB: (withView - cached) / 1024,
  viewBytesPerInstance: (withView - cached) / N,
  rssMiB: process.memoryUsage().rss / MiB,
};
stopView();
release();
engine.close();
if (found !== N) console.log(JSON.stringify({ error: `view reported ${found} of ${N}` }));
else console.log(JSON.stringify(result));
