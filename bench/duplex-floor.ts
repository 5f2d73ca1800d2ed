/**
 * How close toDuplex() comes to the least any Duplex over a socket must do.
 * Three clients run the same code (bench/stream-client.ts), paired in
 * rotating order: a raw net.Socket; pair.toDuplex(); and a minimal Duplex
 * written by hand over a net.Socket ('data' pushed, write() passed on, the
 * socket paused while the Duplex is full), with nothing of this library.
 * The minimal one pays what Node's streams charge any adapter: a second
 * Readable per chunk on top of the socket's own.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/duplex-floor.ts \
 *     [--directions=download,upload,echo] [--blocks=64,1024] [--mib=128] [--repeats=30]
 *
 * --blocks in KiB. Prints, per case, each client's median ms and client CPU
 * per GiB against raw: the median over the rounds of each round's ratio,
 * with its 95% interval and range.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import { Duplex } from 'node:stream';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';
import { GiB, MiB, median, round, timed } from './stats.js';
import { streamClient } from './stream-client.js';
import { medianInterval } from './throughput.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

/** The least a Duplex over a socket does; the Readable side's mark as toDuplex()'s (64 KiB). */
function minimalDuplex(socket: Socket): Duplex {
  const duplex = new Duplex({
    allowHalfOpen: true,
    readableHighWaterMark: 64 * 1024,
    read: () => socket.resume(),
    write: (chunk: Buffer, _encoding, callback) => {
      if (socket.write(chunk)) callback();
      else socket.once('drain', () => callback());
    },
    final: (callback) => {
      socket.end();
      callback();
    },
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (error) => duplex.destroy(error));
  return duplex;
}

const minimalClient = streamClient<Duplex>({
  async open(port) {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return minimalDuplex(socket);
  },
  close: (duplex) => duplex.destroy(),
});

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const directions = arg('directions', 'download,upload,echo').split(',') as Direction[];
const blocks = arg('blocks', '64,1024').split(',').map(Number);
const size = Number(arg('mib', '128')) * MiB;
const repeats = Number(arg('repeats', '30'));

const CLIENTS: Record<string, Client> = {
  raw: rawClient,
  'toDuplex()': duplexClient,
  'minimal Duplex': minimalClient,
};
const NAMES = Object.keys(CLIENTS);

const build = buildLibrary();
await loadLibrary(build);
const server = await startBenchServer(size);
console.log(`Duplex floor: load ${os.loadavg().map((l) => round(l))}`);
try {
  for (const block of blocks) {
    useBlockSize(block * 1024);
    for (const direction of directions) {
      const port = portFor(server.ports, direction);
      const run = async (name: string, bytes: number): Promise<{ ms: number; cpu: number }> => {
        const before = process.cpuUsage();
        const { ms, result } = await timed(() => CLIENTS[name]![direction](port, bytes));
        const used = process.cpuUsage(before);
        if (result !== bytes) throw new Error(`${name} ${direction}: ${result} of ${bytes}`);
        return { ms, cpu: (((used.user + used.system) / 1000) * GiB) / bytes };
      };
      for (const name of NAMES) await run(name, size); // warm-up
      const ms: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      for (let r = 0; r < repeats; r++) {
        for (let i = 0; i < NAMES.length; i++) {
          const name = NAMES[(i + r) % NAMES.length]!;
          const result = await run(name, size);
          (ms[name] ??= []).push(result.ms);
          (cpu[name] ??= []).push(result.cpu);
        }
      }
      console.log(
        `\n${direction}, ${block} KiB blocks, ${size / MiB} MiB x ${repeats}, load ${round(os.loadavg()[0]!)}`,
      );
      const spread = (r: readonly number[]): string => {
        const [low, high] = medianInterval(r);
        const f = (v: number): string => round(v).toFixed(2);
        return `${f(median(r))} (${f(low)}-${f(high)}) [${f(Math.min(...r))}-${f(Math.max(...r))}]`;
      };
      for (const name of NAMES) {
        const x = ms[name]!.map((v, i) => ms.raw![i]! / v);
        const cx = cpu[name]!.map((v, i) => v / cpu.raw![i]!);
        console.log(
          `  ${name.padEnd(15)} ${round(median(ms[name]!), 0)} ms, throughput x raw ${spread(x)};` +
            ` CPU ${round(median(cpu[name]!), 0)} ms/GiB, x raw ${spread(cx)}`,
        );
      }
    }
  }
} finally {
  await server.stop();
  removeBuild(build);
}
