/**
 * Throughput of this checkout's src against another git ref's (main by
 * default), with raw net.Socket beside both, in one process: every repeat
 * runs raw, CF and Duplex on both builds back to back, the order rotating,
 * so load from elsewhere on the machine falls on all of them alike.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/throughput-ab.ts \
 *     [--ref=main] [--directions=upload,download,echo] [--blocks=1024] [--mib=128] [--repeats=30]
 *
 * --blocks in KiB. Prints per case the median ms and client CPU ms/GiB, each
 * against raw, and the new build's CPU against the ref's: the median over the
 * repeats of each repeat's ratio, with its 95% interval [and range].
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';
import { arg, inRotation, spread } from './rotation.js';
import { GiB, MiB, median, round, timed } from './stats.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

const ref = arg('ref', 'main');
const directions = arg('directions', 'upload,download,echo').split(',') as Direction[];
const blocks = arg('blocks', '1024').split(',').map(Number);
// Many short runs (bench/throughput.ts says why): a ratio is the median over the repeats of
// each repeat's ratio, the variants of one repeat running back to back.
const size = Number(arg('mib', '128')) * MiB;
const repeats = Number(arg('repeats', '30'));
const root = fileURLToPath(new URL('../', import.meta.url));

/** Compiles `ref`'s src (git archive into a tree of its own) as buildLibrary does this one's. */
function buildRef(): { tree: string; out: string } {
  const tree = `${root}node_modules/.cache/cfsocketstream-bench/ref-tree-${process.pid}/`;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const files = ['src', 'tsconfig.json', 'tsconfig.build.json'];
  const archive = spawnSync('git', ['-C', root, 'archive', ref, ...files], { maxBuffer: 1 << 28 });
  if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
  return { tree, out: buildLibrary(tree, '-ref') };
}

type Variant = 'raw' | 'cf new' | 'cf ref' | 'duplex new' | 'duplex ref';
const VARIANTS: readonly Variant[] = ['raw', 'cf new', 'cf ref', 'duplex new', 'duplex ref'];
const mine = buildLibrary();
const { tree: refTree, out: theirs } = buildRef();
const server = await startBenchServer(size);
const log = (line: string): void => console.log(line);
log(`A/B: this checkout (new) against ${ref} (ref); load ${os.loadavg().map((l) => round(l))}`);
try {
  for (const block of blocks) {
    useBlockSize(block * 1024);
    for (const direction of directions) {
      const port = portFor(server.ports, direction);
      const run = async (
        variant: Variant,
        bytes: number,
      ): Promise<{ ms: number; cpu: number; user: number }> => {
        const [api, build] = variant.split(' ');
        if (build !== undefined) await loadLibrary(build === 'new' ? mine : theirs);
        const client: Client = api === 'raw' ? rawClient : api === 'cf' ? cfClient : duplexClient;
        const before = process.cpuUsage();
        const { ms, result } = await timed(() => client[direction](port, bytes));
        const used = process.cpuUsage(before);
        if (bytes === size && result !== bytes)
          throw new Error(`${variant} ${direction}: ${result} of ${bytes}`);
        return { ms, cpu: (used.user + used.system) / 1000, user: used.user / 1000 };
      };
      for (const variant of VARIANTS) await run(variant, Math.min(size, 64 * MiB));
      const rounds = await inRotation(VARIANTS, repeats, (variant) =>
        run(variant as Variant, size),
      );
      const ms: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      const user: Record<string, number[]> = {};
      for (const variant of VARIANTS) {
        ms[variant] = rounds[variant]!.map((result) => result.ms);
        cpu[variant] = rounds[variant]!.map((result) => (result.cpu * GiB) / size);
        user[variant] = rounds[variant]!.map((result) => (result.user * GiB) / size);
      }
      log(
        `\n${direction}, ${block} KiB blocks, ${size / MiB} MiB x ${repeats}, load ${os.loadavg()[0]!.toFixed(2)}`,
      );
      for (const variant of VARIANTS) {
        const m = ms[variant]!;
        const c = cpu[variant]!;
        const x = m.map((v, i) => ms.raw![i]! / v);
        const cx = c.map((v, i) => v / cpu.raw![i]!);
        log(
          `  ${variant.padEnd(10)} ${round(median(m), 0).toString().padStart(5)} ms x raw ${spread(x)}` +
            `  CPU ${round(median(c), 0).toString().padStart(5)} ms/GiB (user ${round(median(user[variant]!), 0)}) x raw ${spread(cx)}`,
        );
      }
      for (const api of ['cf', 'duplex']) {
        const n = cpu[`${api} new`]!;
        const o = cpu[`${api} ref`]!;
        const t = ms[`${api} new`]!;
        const u = ms[`${api} ref`]!;
        log(
          `  ${api} new/ref: CPU ${spread(n.map((v, i) => v / o[i]!))}, throughput ${spread(t.map((v, i) => u[i]! / v))}`,
        );
      }
    }
  }
} finally {
  await server.stop();
  removeBuild(mine);
  removeBuild(theirs);
  rmSync(refTree, { recursive: true, force: true });
}
