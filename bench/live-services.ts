/**
 * Live view benchmark (issue 10): how long `services$` takes to report 200
 * instances (with TXT) that python-zeroconf publishes, side by side with
 * python-zeroconf's own ServiceBrowser resolving the same 200 (ServiceInfo
 * with TXT) in the same run, each in a fresh process, interleaved (the
 * order rotates each round), 1.1 s of quiet before each; median and
 * spread. Ours runs as users run it, as python-zeroconf does: plain `node`
 * (bench/live-client.mjs, no loader) on the package built as it ships and
 * laid out as installed (bench/installed-package.ts), through its public
 * entry; with its V8 code cache as an installed package has it after its
 * first runs (WARM_UP processes write it before the rounds), and without
 * (NODE_DISABLE_COMPILE_CACHE, as the first process after an install).
 * Then the memory of a live view of 5,000 instances, fed through a
 * fake network in one process (heap and RSS with and without the view).
 *
 *   node scripts/in-private-network.mjs node --import tsx bench/live-services.ts [rounds]
 *
 * Needs Debian's python3-zeroconf at /usr/bin/python3.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { REFINING_RUNS } from '../src/load/code-cache.js';
import { buildPackage, installedEntry } from './installed-package.js';
import { buildLibrary, removeBuild } from './library.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  console.error(
    'usage: node scripts/in-private-network.mjs node --import tsx bench/live-services.ts',
  );
  process.exit(2);
}

const ROUNDS = Number(process.argv[2] ?? 5);
const COUNT = 200;
const TYPE = '_benchlive._tcp';
const PYTHON = '/usr/bin/python3';
/**
 * Processes run before the rounds, untimed: the code cache is written by the first process and
 * refined by the next few, so the rounds read the cache an installed package settles on.
 */
const WARM_UP = REFINING_RUNS;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

// 200 services at once (AsyncZeroconf registers them concurrently), each with a TXT.
const PUBLISHER = `
import asyncio, socket, sys
from zeroconf import ServiceInfo
from zeroconf.asyncio import AsyncZeroconf
async def main():
    azc = AsyncZeroconf(interfaces=['127.0.0.1'])
    infos = [ServiceInfo('${TYPE}.local.', 'Bench %03d.${TYPE}.local.' % i,
                         addresses=[socket.inet_aton('127.0.0.1')], port=9000 + i,
                         properties={'index': str(i), 'model': 'bench-sensor', 'fw': '1.2.3'},
                         server='zcpub.local.') for i in range(${COUNT})]
    tasks = await asyncio.gather(*(azc.async_register_service(info) for info in infos))
    await asyncio.gather(*tasks)
    print('ready', flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await azc.async_close()
asyncio.run(main())
`;

// python-zeroconf's own way: a ServiceBrowser, and a ServiceInfo with TXT for each instance.
const BROWSER = `
import json, sys, threading, time
from zeroconf import Zeroconf, ServiceBrowser, ServiceInfo, ServiceStateChange
count = ${COUNT}
zc = Zeroconf(interfaces=['127.0.0.1'])
done = threading.Event()
resolved = set()
lock = threading.Lock()
def resolve(name):
    # A request can time out under load: ask again, as an app would, until the run's deadline.
    while not done.is_set():
        info = ServiceInfo('${TYPE}.local.', name)
        if (info.load_from_cache(zc) or info.request(zc, 3000)) and info.properties:
            with lock:
                resolved.add(name)
                if len(resolved) == count:
                    done.set()
            return
def on_change(zeroconf, service_type, name, state_change):
    if state_change is ServiceStateChange.Added:
        threading.Thread(target=resolve, args=(name,), daemon=True).start()
started = time.perf_counter()
browser = ServiceBrowser(zc, '${TYPE}.local.', handlers=[on_change])
ok = done.wait(30)
ms = (time.perf_counter() - started) * 1000
print(json.dumps({'ms': ms} if ok else {'error': 'only %d of %d' % (len(resolved), count)}), flush=True)
browser.cancel()
zc.close()
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[xs.length >> 1] ?? Number.NaN;
const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');

function runJson(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', () => {
      try {
        const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
        if (result.error) reject(new Error(`${argv[0]}: ${result.error}`));
        else resolve(result);
      } catch {
        reject(new Error(`${argv.join(' ')}: no result (${out})`));
      }
    });
  });
}

async function startPublisher(): Promise<ChildProcess> {
  const child = spawn(PYTHON, ['-c', PUBLISHER], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`publisher exited ${code}`)));
  });
  return child;
}

type Who = 'ours' | 'oursFirst' | 'zeroconf';

async function main(): Promise<void> {
  const build = buildLibrary();
  const root = `${ROOT}node_modules/.cache/cfsocketstream-bench/live-${process.pid}`;
  await buildPackage(root);
  const client = fileURLToPath(new URL('./live-client.mjs', import.meta.url));
  const ours = (env: NodeJS.ProcessEnv = {}): Promise<Record<string, number>> =>
    runJson([process.execPath, client, installedEntry(root), TYPE, String(COUNT)], env);
  const runners: Record<Who, () => Promise<Record<string, number>>> = {
    ours: () => ours(),
    oursFirst: () => ours({ NODE_DISABLE_COMPILE_CACHE: '1' }),
    zeroconf: () => runJson([PYTHON, '-c', BROWSER]),
  };
  const publisher = await startPublisher();
  const whos = Object.keys(runners) as Who[];
  const rows = Object.fromEntries(whos.map((w) => [w, [] as number[]])) as Record<Who, number[]>;
  const failures = Object.fromEntries(whos.map((w) => [w, 0])) as Record<Who, number>;
  let memory: Record<string, number> = {};
  try {
    for (let i = 0; i < WARM_UP; i++) {
      await sleep(1100);
      await ours();
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = whos.map((_, i) => whos[(i + round) % whos.length] as Who);
      for (const who of order) {
        await sleep(1100);
        try {
          rows[who].push((await runners[who]()).ms as number);
        } catch (error) {
          // A run that does not finish is reported, not averaged in.
          console.log(`${who}: ${(error as Error).message}`);
          failures[who] += 1;
        }
      }
    }
    memory = await runJson(
      [
        process.execPath,
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(new URL('./live-memory.ts', import.meta.url)),
        '5000',
      ],
      { CFSTREAM_BENCH_BUILD: build },
    );
  } finally {
    publisher.stdin?.end();
    await new Promise((r) => publisher.once('exit', r));
    removeBuild(build);
    rmSync(root, { recursive: true, force: true });
  }
  console.log(
    `\nLive view: ${COUNT} python-zeroconf services with TXT, fresh process each, ${ROUNDS} rounds interleaved (ms)\n`,
  );
  console.log('| browser | median | min | max | runs that did not finish in 30 s |');
  console.log('|---|---:|---:|---:|---:|');
  const labels: Record<Who, string> = {
    ours: 'ours: services$, package as installed, code cache warm',
    oursFirst: 'ours: the same, no code cache (first run after install)',
    zeroconf: 'python-zeroconf: ServiceBrowser + ServiceInfo',
  };
  for (const who of whos) {
    const s = sorted(rows[who]);
    console.log(
      `| ${labels[who]} | ${f(median(s))} | ${f(s[0] ?? Number.NaN)} | ${f(s.at(-1) ?? Number.NaN)} | ${failures[who]} |`,
    );
  }
  const a = median(rows.ours);
  const b = median(rows.zeroconf);
  console.log(
    `\nGoal: no slower than python-zeroconf: ${f(a)} vs ${f(b)} ms (${(a / b).toFixed(2)} x): ${a <= b ? 'met' : 'MISSED'}`,
  );
  const m = (key: string): number => memory[key] ?? Number.NaN;
  console.log(
    `\nLive view of ${m('instances')} instances (fake network, one process, tsc build): the cache holds them in ${f(m('cacheHeapKiB'))} KiB of heap; the view adds ${f(m('viewHeapKiB'))} KiB (${f(m('viewBytesPerInstance'))} B per instance); RSS ${f(m('rssMiB'))} MiB in all`,
  );
}

await main();
