/**
 * Which build of the library the benchmarks measure. By default the code as
 * it ships: src compiled by tsc with tsconfig.build.json (as `npm run build`
 * does for dist/esm) into a private folder under node_modules/.cache, so a
 * build running in the same checkout cannot pull dist/ away mid-run.
 *
 * Why not src through tsx: tsx compiles with esbuild's keepNames, which
 * redefines `name` on every function; each closure then gets its own
 * property store (256 bytes here), which inflated the per-pair memory by
 * about 2.5 KB. `--source` measures src through tsx anyway.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

type StreamPairModule = typeof import('../src/stream/stream-pair.js');
type RunLoopModule = typeof import('../src/runloop.js');
type NetServiceModule = typeof import('../src/netservice/index.js');
type MdnsModule = typeof import('../src/mdns/index.js');
type UnicastConfigModule = typeof import('../src/unicast/config.js');

/** What the benchmarks use of the library. */
export interface Library {
  /** 'source' (src through tsx) or the folder of the compiled build. */
  readonly from: string;
  readonly createPairWithSocketToHost: StreamPairModule['createPairWithSocketToHost'];
  readonly createPairWithSocketToNetService: StreamPairModule['createPairWithSocketToNetService'];
  readonly RunLoop: RunLoopModule['RunLoop'];
  readonly NetService: NetServiceModule['NetService'];
  readonly NetServiceBrowser: NetServiceModule['NetServiceBrowser'];
  readonly resetMdnsEngine: MdnsModule['resetMdnsEngine'];
  readonly configureUnicastDNS: UnicastConfigModule['configureUnicastDNS'];
}

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Compiles src into a fresh folder (one per process id and `name`) and returns it; `tree`
 * is a checkout holding src and tsconfig.build.json (this one by default).
 */
export function buildLibrary(tree = root, name = ''): string {
  const out = `${root}node_modules/.cache/cfsocketstream-bench/${process.pid}${name}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = ['-p', 'tsconfig.build.json', '--outDir', out];
  const result = spawnSync(
    process.execPath,
    [tsc, ...args, '--declaration', 'false', '--sourceMap', 'false'],
    { cwd: tree, encoding: 'utf8' },
  );
  // tsc emits even with type errors (others may be mid-edit elsewhere in src): only a missing file is fatal.
  if (!existsSync(`${out}/stream/stream-pair.js`)) {
    throw new Error(`building src for the bench failed:\n${result.stdout}${result.stderr}`);
  }
  if (result.status !== 0) {
    console.warn('bench: tsc reported type errors in src; measuring what it emitted anyway');
  }
  writeFileSync(`${out}/package.json`, '{ "type": "module" }\n');
  return out;
}

/** Removes a folder made by buildLibrary(). */
export function removeBuild(dir: string): void {
  if (dir !== 'source') rmSync(dir, { recursive: true, force: true });
}

let current: Library | undefined;

/** Loads the library from `from` ('source' or a buildLibrary() folder); later calls to library() return it. */
export async function loadLibrary(from: string): Promise<Library> {
  const url = (file: string): string =>
    from === 'source'
      ? new URL(`../src/${file}.ts`, import.meta.url).href
      : pathToFileURL(`${from}/${file}.js`).href;
  const pairs = (await import(url('stream/stream-pair'))) as StreamPairModule;
  const runloop = (await import(url('runloop'))) as RunLoopModule;
  const netservice = (await import(url('netservice/index'))) as NetServiceModule;
  const mdns = (await import(url('mdns/index'))) as MdnsModule;
  const unicast = (await import(url('unicast/config'))) as UnicastConfigModule;
  current = {
    from,
    createPairWithSocketToHost: pairs.createPairWithSocketToHost,
    createPairWithSocketToNetService: pairs.createPairWithSocketToNetService,
    RunLoop: runloop.RunLoop,
    NetService: netservice.NetService,
    NetServiceBrowser: netservice.NetServiceBrowser,
    resetMdnsEngine: mdns.resetMdnsEngine,
    configureUnicastDNS: unicast.configureUnicastDNS,
  };
  return current;
}

/** The library loaded by loadLibrary(). */
export function library(): Library {
  if (current === undefined) throw new Error('loadLibrary() first');
  return current;
}
