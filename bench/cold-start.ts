/**
 * Start-up (issue 12): importing the package, connecting by name from a fresh
 * process (spawn to exit), and the open itself once imported; each side by
 * side with its reference, in one run, interleaved. avahi-daemon publishes an
 * echo service on this (loopback-only) host; every client is a fresh process
 * run with plain `node` (no loader) on the package as it ships, built by
 * `node scripts/build.mjs --out` into a private folder laid out as an install
 * (ROOT/node_modules/cfsocketstream/{dist,bin}), so that the V8 code cache
 * (src/load/code-cache.ts) lives where an installed package's does,
 * ROOT/node_modules/.cache/cfsocketstream, and goes with the folder. The first
 * processes write it; the library is also run with NODE_DISABLE_COMPILE_CACHE
 * set, as the first process after an install runs (no cache to read).
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/cold-start.ts [rounds]
 *
 * Per round, in an order that rotates from round to round, with 1.1 s of quiet
 * before each mDNS client (a responder answers a record on multicast at most
 * once a second, RFC 6762 §6):
 * - library: bench/start-client.mjs open (import, pair by name, echo, exit);
 * - the same without the code cache (NODE_DISABLE_COMPILE_CACHE=1);
 * - `cfstream connect NAME` (bin/cfstream.cjs) with "x" on stdin (exits once the peer closes);
 * - python-zeroconf: import, Zeroconf(), get_service_info, connect, echo, close;
 * - the library-free Node floor, bench/start-bare-client.mjs;
 * and imports alone: the ESM and CommonJS builds, `import zeroconf`, `node -e 0`.
 * Ratios are taken per round; the table gives their median and range.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Avahi, startAvahi } from '../test/support/avahi.js';
import { startEchoServer } from '../test/support/tcp-peers.js';
import { buildPackage, installed } from './installed-package.js';
import { median, sleep } from './stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLIENT = fileURLToPath(new URL('./start-client.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('./start-bare-client.mjs', import.meta.url));
const PYTHON = '/usr/bin/python3';
const NAME = 'Bench Start._echo._tcp.local.';

// python-zeroconf's client, whole: spawn to exit is timed by the parent; inside, the import and
// the open after it (Zeroconf() included) as ours are.
const ZEROCONF_CLIENT = `
import time
t0 = time.perf_counter()
import json, socket, sys
from zeroconf import Zeroconf
t1 = time.perf_counter()
name, = sys.argv[1:]
stype = name[name.index('._') + 1:]
zc = Zeroconf()
info = zc.get_service_info(stype, name, timeout=3000)
addr = [a for a in info.parsed_addresses() if ':' not in a][0]
s = socket.create_connection((addr, info.port))
s.sendall(b'x'); s.recv(1)
t2 = time.perf_counter()
s.close()
print(json.dumps({'import': (t1 - t0) * 1000, 'open': (t2 - t1) * 1000}), flush=True)
zc.close()
`;
const ZEROCONF_IMPORT = `
import time
t0 = time.perf_counter()
import zeroconf
print('{"import": %f}' % ((time.perf_counter() - t0) * 1000), flush=True)
`;

interface Run {
  /** Spawn to exit, ms. */
  readonly wall: number;
  /** What the child printed (its last JSON line), if anything. */
  readonly result: Record<string, number>;
}

/** Spawns argv, writes `stdin` if given, and times spawn to exit. */
function run(argv: readonly string[], stdin?: string, env?: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(stdin);
    child.once('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${out}`));
      const last = out.trim().split('\n').pop() ?? '';
      let result: Record<string, number> = {};
      try {
        if (last.startsWith('{')) result = JSON.parse(last);
      } catch {
        // The CLI prints the echoed byte, not JSON.
      }
      resolve({ wall, result });
    });
  });
}

/** One row of the result: a measurement, per round. */
type Rows = Record<string, number[]>;

/** Median and range of a list, formatted. */
const spread = (xs: readonly number[], digits = 1): string =>
  xs.length === 0
    ? '-'
    : `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

/** Runs `rounds` interleaved rounds and returns every measurement per round. */
export async function measureStart(root: string, rounds: number): Promise<Rows> {
  const build = `${installed(root)}/dist`;
  const noCache = { NODE_DISABLE_COMPILE_CACHE: '1' };
  const rows: Rows = {};
  const add = (key: string, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) (rows[key] ??= []).push(value);
  };
  const node = process.execPath;
  for (let round = 0; round < rounds; round++) {
    const r: Record<string, Run> = {};
    const clients: Array<[string, () => Promise<Run>]> = [
      ['lib', () => run([node, CLIENT, 'open', build, NAME])],
      ['libFirst', () => run([node, CLIENT, 'open', build, NAME], undefined, noCache)],
      ['cli', () => run([node, `${installed(root)}/bin/cfstream.cjs`, 'connect', NAME], 'x')],
      ['python', () => run([PYTHON, '-c', ZEROCONF_CLIENT, NAME])],
      ['bare', () => run([node, BARE, NAME])],
    ];
    const imports: Array<[string, () => Promise<Run>]> = [
      ['esm', () => run([node, CLIENT, 'import-esm', build])],
      ['cjs', () => run([node, CLIENT, 'import-cjs', build])],
      ['pyimport', () => run([PYTHON, '-c', ZEROCONF_IMPORT])],
      ['node', () => run([node, '-e', '0'])],
    ];
    const turn = <T>(xs: T[]): T[] => xs.map((_, i) => xs[(i + round) % xs.length] as T);
    for (const [key, client] of turn(clients)) {
      await sleep(1100);
      r[key] = await client();
    }
    for (const [key, client] of turn(imports)) r[key] = await client();
    const {
      lib,
      libFirst,
      cli,
      python,
      bare,
      esm,
      cjs,
      pyimport,
      node: bareNode,
    } = r as Record<string, Run>;
    add('spawn to exit: library', lib?.wall);
    add('spawn to exit: cfstream connect', cli?.wall);
    add('spawn to exit: python-zeroconf', python?.wall);
    add('spawn to exit: library-free Node client', bare?.wall);
    add('spawn to exit: node -e 0', bareNode?.wall);
    add('library / python-zeroconf', (lib?.wall ?? NaN) / (python?.wall ?? NaN));
    add('cfstream connect / python-zeroconf', (cli?.wall ?? NaN) / (python?.wall ?? NaN));
    // Whether any Node program can meet the goal: the least a Node client must do, whole.
    add('library-free Node client / python-zeroconf', (bare?.wall ?? NaN) / (python?.wall ?? NaN));
    add('node -e 0 / python-zeroconf', (bareNode?.wall ?? NaN) / (python?.wall ?? NaN));
    add('import: ESM build', esm?.result.import);
    add('import: CommonJS build', cjs?.result.import);
    add('import: python-zeroconf', pyimport?.result.import);
    add('RxJS modules loaded by the import', esm?.result.rxjsModules);
    add('open after import: library', lib?.result.open);
    add('open after import: library-free Node', bare?.result.open);
    add('open after import: python-zeroconf', python?.result.open);
    add('library: Node start-up before its first line', lib?.result.boot);
    add('library: echo to exit, plus spawning', (lib?.wall ?? NaN) - (lib?.result.done ?? NaN));
    add(
      'open after import: library / Node floor',
      (lib?.result.open ?? NaN) / (bare?.result.open ?? NaN),
    );
    add('spawn to exit: library, no code cache', libFirst?.wall);
    add('open after import: library, no code cache', libFirst?.result.open);
    add(
      'open after import: library, no code cache / Node floor',
      (libFirst?.result.open ?? NaN) / (bare?.result.open ?? NaN),
    );
  }
  return rows;
}

/** Prints the rows as a table: median (range) per row. */
export function startTable(rows: Rows, rounds: number): string {
  const lines = [
    `Start-up: ${rounds} interleaved rounds, median (range); ms unless a ratio`,
    '',
    '| measurement | median (range) |',
    '|---|---:|',
  ];
  for (const [key, xs] of Object.entries(rows)) {
    lines.push(`| ${key} | ${spread(xs, key.includes('/') ? 2 : 1)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
    console.error(
      'usage: node scripts/in-private-network.mjs node --import tsx bench/cold-start.ts',
    );
    process.exit(2);
  }
  const rounds = Number(process.argv[2] ?? 9);
  const root = `${ROOT}node_modules/.cache/cfsocketstream-bench/start-${process.pid}`;
  await buildPackage(root);
  const echo = await startEchoServer();
  let avahi: Avahi | undefined;
  try {
    avahi = await startAvahi({
      services: [{ name: 'Bench Start', type: '_echo._tcp', port: echo.port }],
    });
    await avahi.waitForLog(/Bench Start.*successfully established/);
    const rows = await measureStart(root, rounds);
    console.log(startTable(rows, rounds));
    console.log(`\nJSON ${JSON.stringify(rows)}`);
  } finally {
    await avahi?.stop();
    await echo.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
