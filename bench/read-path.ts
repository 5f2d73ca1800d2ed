/**
 * What the CF read path costs beyond the copy that read() must make, without
 * TCP: 64 KiB chunks go in through the internal acceptData() (what the
 * socket's 'data' handler calls), PER_TURN of them per setImmediate turn (as
 * one poll phase hands them over), and a setClient callback reads them into a
 * reused buffer until read() returns 0, as bench/client-cf.ts does. Beside it,
 * in turns, the same chunks each copied into the same buffer by a bare
 * function as it arrives: the floor. Each chunk is written just before it is
 * handed over, as recv() writes a socket's chunk, so the floor copies it while
 * it is in cache and the path copies it after the turn's other chunks (as a
 * socket's reader does after a poll's burst). The difference is the path
 * (status checks, the chunk queue, signal, the run-loop event, delivery, pause
 * and resume of the pair's idle socket at the high-water mark, and the copy
 * made later), in client CPU ms per GiB.
 *
 *   node --import tsx bench/read-path.ts [--read=KiB] [--per-turn=N] [--rounds=N] [--source]
 *
 * Defaults: 64 KiB reads, 16 chunks per turn (1 MiB, what a loaded loopback
 * download hands over per loop turn), 11 rounds of 1 GiB each way.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { StreamEvent } from '../src/constants.js';
import type { ReadStream } from '../src/stream/read-stream.js';
import { buildLibrary, library, loadLibrary, removeBuild } from './library.js';
import { GiB, KiB, median, round } from './stats.js';

const arg = (name: string, fallback: string): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const readBytes = arg('read', '64') * KiB;
const perTurn = arg('per-turn', '16');
const rounds = arg('rounds', '11');
const CHUNK = 64 * KiB;
// 4 MiB of chunks in rotation, more than a core's L2 holds: a chunk comes back out of cache.
const chunks = Array.from({ length: 64 }, () => Buffer.alloc(CHUNK));
const turns = Math.ceil(GiB / (CHUNK * perTurn));
const buffer = Buffer.allocUnsafe(readBytes);

/** Hands `turns` batches to `take`, one batch per setImmediate turn; resolves when `done` says so. */
function feed(take: (chunk: Buffer) => void, done: Promise<void>): Promise<void> {
  let turn = 0;
  let at = 0;
  const next = (): void => {
    for (let i = 0; i < perTurn; i++) {
      const chunk = chunks[at++ % chunks.length]!;
      chunk.fill(turn);
      take(chunk);
    }
    if (++turn < turns) setImmediate(next);
  };
  next();
  return done;
}

function throughPath(stream: ReadStream): Promise<void> {
  let got = 0;
  const done = new Promise<void>((resolve) => {
    stream.setClient(StreamEvent.HasBytesAvailable, (s) => {
      for (let n = s.read(buffer, buffer.length); n > 0; n = s.read(buffer, buffer.length))
        got += n;
      if (got >= turns * perTurn * CHUNK) resolve();
    });
  });
  return feed((chunk) => stream.acceptData(chunk), done);
}

function bareCopy(): Promise<void> {
  let got = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return feed((chunk) => {
    chunk.copy(buffer, got % readBytes, 0, Math.min(chunk.length, readBytes - (got % readBytes)));
    got += chunk.length;
    if (got >= turns * perTurn * CHUNK) resolve();
  }, done);
}

async function cpuPerGiB(run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / ((turns * perTurn * CHUNK) / GiB);
}

const from = process.argv.includes('--source') ? 'source' : buildLibrary();
await loadLibrary(from);
const server = createServer(() => {}).listen(0, '127.0.0.1');
await once(server, 'listening');
const pair = library().createPairWithSocketToHost(
  '127.0.0.1',
  (server.address() as { port: number }).port,
);
try {
  await new Promise<void>((resolve, reject) => {
    pair.readStream.setClient(StreamEvent.OpenCompleted | StreamEvent.ErrorOccurred, (s, type) =>
      type === StreamEvent.OpenCompleted ? resolve() : reject(s.copyError()),
    );
    pair.open();
  });
  const stream = pair.readStream;
  await throughPath(stream); // warm-up
  await bareCopy();
  const path: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < rounds; r++) {
    path.push(await cpuPerGiB(() => throughPath(stream)));
    bare.push(await cpuPerGiB(bareCopy));
  }
  const extra = path.map((v, i) => v - bare[i]!);
  const show = (v: readonly number[]): string =>
    `${round(median(v), 1)} [${round(Math.min(...v), 1)}-${round(Math.max(...v), 1)}]`;
  console.log(
    `read path, ${readBytes / KiB} KiB reads, ${perTurn} chunks of 64 KiB per turn, ${rounds} rounds, CPU ms/GiB: ` +
      `path ${show(path)}, bare copy ${show(bare)}, path - copy ${show(extra)}`,
  );
} finally {
  pair.close();
  server.close();
  if (from !== 'source') removeBuild(from);
}
