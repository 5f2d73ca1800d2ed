/**
 * Throughput of this checkout's src against another git ref's (main by
 * default), with raw net.Socket beside both, in one process: every repeat
 * runs raw, CF and Duplex on both builds back to back, the order rotating,
 * so load from elsewhere on the machine falls on all of them alike.
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/throughput-ab.ts \
 *     [--ref=main] [--directions=upload,download,echo] [--blocks=1024] [--mib=1024] [--repeats=5]
 *
 * --blocks in KiB. Prints per case the median ms and client CPU ms/GiB, each
 * against raw, and the new build's CPU against the ref's (median over repeats).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cfClient } from './client-cf.js';
import { duplexClient } from './client-duplex.js';
import { rawClient } from './client-raw.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';
import { GiB, MiB, median, round, timed } from './stats.js';
import { type Client, type Direction, portFor, useBlockSize } from './workload.js';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ref = arg('ref', 'main');
const directions = arg('directions', 'upload,download,echo').split(',') as Direction[];
const blocks = arg('blocks', '1024').split(',').map(Number);
const size = Number(arg('mib', '1024')) * MiB;
const repeats = Number(arg('repeats', '5'));
const root = fileURLToPath(new URL('../', import.meta.url));

/** Compiles `ref`'s src (git archive) into a folder of its own. */
function buildRef(): string {
  const dir = `${root}node_modules/.cache/cfsocketstream-bench/ref-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/tree`, { recursive: true });
  const archive = spawnSync('git', ['-C', root, 'archive', ref, 'src', 'tsconfig.json'], {
    maxBuffer: 1 << 28,
  });
  if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  spawnSync('tar', ['-x', '-C', `${dir}/tree`], { input: archive.stdout });
  writeFileSync(
    `${dir}/tree/tsconfig.build.json`,
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'src', types: ['node'], noEmit: false },
      include: ['src'],
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', `${dir}/out`, '--declaration', 'false'],
    { cwd: `${dir}/tree`, encoding: 'utf8' },
  );
  writeFileSync(`${dir}/out/package.json`, '{ "type": "module" }\n');
  return `${dir}/out`;
}

type Variant = 'raw' | 'cf new' | 'cf ref' | 'duplex new' | 'duplex ref';
const VARIANTS: readonly Variant[] = ['raw', 'cf new', 'cf ref', 'duplex new', 'duplex ref'];
const mine = buildLibrary();
const theirs = buildRef();
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
      const ms: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      const user: Record<string, number[]> = {};
      for (let r = 0; r < repeats; r++) {
        for (let i = 0; i < VARIANTS.length; i++) {
          const variant = VARIANTS[(i + r) % VARIANTS.length]!;
          const result = await run(variant, size);
          (ms[variant] ??= []).push(result.ms);
          (cpu[variant] ??= []).push((result.cpu * GiB) / size);
          (user[variant] ??= []).push((result.user * GiB) / size);
        }
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
          `  ${variant.padEnd(10)} ${round(median(m), 0).toString().padStart(5)} ms x raw ${round(median(ms.raw!) / median(m)).toFixed(2)} (${round(Math.min(...x)).toFixed(2)}-${round(Math.max(...x)).toFixed(2)})` +
            `  CPU ${round(median(c), 0).toString().padStart(5)} ms/GiB (user ${round(median(user[variant]!), 0)}) x raw ${round(median(cx)).toFixed(2)} (${round(Math.min(...cx)).toFixed(2)}-${round(Math.max(...cx)).toFixed(2)})` +
            `  runs ${m.map((v) => round(v, 0)).join('/')}`,
        );
      }
      for (const api of ['cf', 'duplex']) {
        const n = cpu[`${api} new`]!;
        const o = cpu[`${api} ref`]!;
        const t = ms[`${api} new`]!;
        const u = ms[`${api} ref`]!;
        const cr = n.map((v, i) => v / o[i]!);
        const tr = t.map((v, i) => u[i]! / v);
        log(
          `  ${api} new/ref: CPU ${round(median(cr)).toFixed(2)} (${round(Math.min(...cr)).toFixed(2)}-${round(Math.max(...cr)).toFixed(2)}), throughput ${round(median(tr)).toFixed(2)} (${round(Math.min(...tr)).toFixed(2)}-${round(Math.max(...tr)).toFixed(2)})`,
        );
      }
    }
  }
} finally {
  await server.stop();
  removeBuild(mine);
  rmSync(theirs.replace(/\/out$/, ''), { recursive: true, force: true });
}
