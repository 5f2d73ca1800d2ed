/**
 * How close each API comes to the least its contract lets any client do.
 * Five clients, paired in rotating order against the raw socket:
 *
 * - raw: a net.Socket driven by bench/stream-client.ts ('data' in, write()
 *   with 'drain' out).
 * - CF: the pair's CF-style API (bench/client-cf.ts).
 * - raw + CF's copies: the raw client making the copies CF's contract asks
 *   for and nothing else: every chunk read is copied into a reused buffer of
 *   the block size (CF's read() fills the caller's buffer), and every block is
 *   copied before it is written (the caller of CF's write() may reuse its
 *   buffer at once), into two buffers, each reused once the socket has
 *   flushed it.
 * - toDuplex(): the pair's Node Duplex, driven by the raw client's own code.
 * - minimal Duplex: a Duplex written by hand over a net.Socket ('data'
 *   pushed, write() passed on, the socket paused while the Duplex is full),
 *   with nothing of this library: what Node's streams charge any adapter,
 *   a second Readable per chunk on top of the socket's own.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/api-floors.ts \
 *     [--directions=download,upload,echo] [--blocks=64,1024] [--mib=128] [--repeats=20]
 *
 * --blocks in KiB. Prints, per case, each client's median ms and client CPU
 * per GiB against raw: the median over the rounds of each round's ratio,
 * with its 95% interval and range.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import { Duplex } from 'node:stream';
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';
import { arg, inRotation, spread } from './rotation.js';
import { GiB, MiB, median, round, timed } from './stats.js';
import { streamClient } from './stream-client.js';
import {
  type Client,
  type Direction,
  portFor,
  READ_BUFFER_BYTES,
  SEND_BLOCK,
  blocks as sendBlocks,
  useBlockSize,
} from './workload.js';

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
  open: async (port) => minimalDuplex(await openSocket(port)),
  close: (duplex) => duplex.destroy(),
});

const openSocket = async (port: number): Promise<Socket> => {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
};

/** Counts (or keeps) what arrives until FIN, copying each chunk into a reused buffer first. */
function collectCopying(socket: Socket, keep: boolean): Promise<{ bytes: number; data: Buffer }> {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const kept: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += buffer.length) {
        const n = chunk.copy(buffer, 0, at, Math.min(chunk.length, at + buffer.length));
        bytes += n;
        if (keep) kept.push(Buffer.from(buffer.subarray(0, n)));
      }
    });
    socket.once('end', () => resolve({ bytes, data: Buffer.concat(kept) }));
    socket.once('error', reject);
  });
}

async function sendCopying(socket: Socket, size: number): Promise<void> {
  // Two buffers, each reused once the socket has flushed it: when both are in flight the next
  // block waits for the older one, so the copy is all this client adds (no allocation per write).
  const free = [Buffer.allocUnsafe(SEND_BLOCK.length), Buffer.allocUnsafe(SEND_BLOCK.length)];
  let released: (() => void) | undefined;
  for (const block of sendBlocks(size)) {
    while (free.length === 0) await new Promise<void>((resolve) => (released = resolve));
    const copy = free.pop()!;
    block.copy(copy);
    const room = socket.write(copy.subarray(0, block.length), () => {
      free.push(copy);
      released?.();
    });
    if (!room) await once(socket, 'drain');
  }
  socket.end();
}

const copyingClient = streamClient<Socket>({
  open: openSocket,
  close: (socket) => socket.destroy(),
  collect: collectCopying,
  send: sendCopying,
});

const directions = arg('directions', 'download,upload,echo').split(',') as Direction[];
const blocks = arg('blocks', '64,1024').split(',').map(Number);
const size = Number(arg('mib', '128')) * MiB;
const repeats = Number(arg('repeats', '20'));

const CLIENTS: Record<string, Client> = {
  raw: rawClient,
  CF: cfClient,
  'raw + CF copies': copyingClient,
  'toDuplex()': duplexClient,
  'minimal Duplex': minimalClient,
};
const NAMES = Object.keys(CLIENTS);

const build = buildLibrary();
await loadLibrary(build);
const server = await startBenchServer(size);
console.log(`API floors: load ${os.loadavg().map((l) => round(l))}`);
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
      const rounds = await inRotation(NAMES, repeats, (name) => run(name, size));
      const ms: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      for (const name of NAMES) {
        ms[name] = rounds[name]!.map((result) => result.ms);
        cpu[name] = rounds[name]!.map((result) => result.cpu);
      }
      console.log(
        `\n${direction}, ${block} KiB blocks, ${size / MiB} MiB x ${repeats}, load ${round(os.loadavg()[0]!)}`,
      );
      for (const name of NAMES) {
        const x = ms[name]!.map((v, i) => ms.raw![i]! / v);
        const cx = cpu[name]!.map((v, i) => v / cpu.raw![i]!);
        console.log(
          `  ${name.padEnd(16)} ${round(median(ms[name]!), 0)} ms, throughput x raw ${spread(x)};` +
            ` CPU ${round(median(cpu[name]!), 0)} ms/GiB, x raw ${spread(cx)}`,
        );
      }
    }
  }
} finally {
  await server.stop();
  removeBuild(build);
}
