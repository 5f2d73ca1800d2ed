/**
 * Loads a CommonJS bundle of the package (dist/cjs/index.bundle.js, the
 * command's cli/main.bundle.js) through a V8 code cache, as the
 * v8-compile-cache package did: the functions V8 compiled in one process are
 * kept in node_modules/.cache/cfsocketstream and handed to V8 by the next, so
 * a fresh process neither parses the bundle again nor compiles on first call
 * what an earlier run already compiled (docs/decisions.md, "Start-up and the
 * build"; docs/performance.md, start-up). Node 22's compile cache does the
 * same for ordinary modules where the application turns it on.
 *
 * Safe by construction: a cache is used only when its header matches the
 * bundle (build hash in the file name, size and mtime inside) and its CRC-32
 * matches its bytes (V8 checks its own version, flags and the source length
 * but not, in release builds, a checksum); V8 may still reject it (another V8),
 * and then it is rewritten. It is written at exit, through a temporary file
 * renamed into place, by a process that had none and by the next few that used
 * it (REFINING_RUNS in all): a cache holds only what its writer had compiled, and the
 * first process may have only imported the package, so the next ones add what
 * they compiled (an open, a resolve) while it still grows. Any failure (a
 * read-only install, no node_modules) leaves the package loading as it always
 * did.
 * Without zlib.crc32 (Node before 20.15), with source maps on
 * (`--enable-source-maps` maps stack traces only for files Node loads itself),
 * or with NODE_DISABLE_COMPILE_CACHE set, the stub simply requires the bundle.
 *
 * Built to dist/cjs/code-cache.js; a stub the build writes beside each bundle
 * calls loadBundle(), and requires the bundle itself when it declines (a
 * plain `require` that bundlers also follow: an application bundled by
 * esbuild or webpack has no bundle file beside the stub to read).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** "CFSC": our header, then V8's cached data. */
const MAGIC = 0x43465343;
/**
 * magic, CRC-32 of the data, data length, bundle size, processes that wrote
 * it, reserved (uint32 each), bundle mtime (float64).
 */
const HEADER_BYTES = 32;
/**
 * How many processes write a cache in all (the first, then those that used
 * it, each adding what it compiled): each pays V8's serialization at exit
 * (2 ms here), so only the first few do.
 */
export const REFINING_RUNS = 4;
/** CommonJS's function wrapper, as Node's own loader writes it. */
const WRAP_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_END = '\n});';
const WRAP_START_BYTES = Buffer.from(WRAP_START, 'latin1');
const WRAP_END_BYTES = Buffer.from(WRAP_END, 'latin1');

type Crc32 = (data: Uint8Array) => number;

/** zlib.crc32 where Node has it (20.15+, 22.2+); loaded only when a cache is read or written. */
function crc32(): Crc32 | undefined {
  const zlib = createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 };
  return typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
}

/** True when the cache must not be used: source maps on, or the user turned compile caches off. */
function cacheDisabled(): boolean {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return true;
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return true;
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  return flags.includes('--enable-source-maps');
}

/**
 * The node_modules folder whose .cache holds ours: the one the package is
 * installed in, or the checkout's own; undefined when there is none.
 */
export function cacheFolder(packageRoot: string): string | undefined {
  const parent = dirname(packageRoot);
  const modules = basename(parent) === 'node_modules' ? parent : join(packageRoot, 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'cfsocketstream') : undefined;
}

/** Where one bundle's cache lives for this build and this Node. */
export function cacheFile(folder: string, bundle: string, buildHash: string): string {
  const name = basename(bundle, '.js').replace(/[^\w.]/g, '_');
  return join(folder, `${name}-${buildHash}-${process.version}-${process.arch}.v8`);
}

interface BundleStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

interface Cache {
  /** V8's cached data. */
  readonly data: Buffer;
  /** Processes that wrote it so far. */
  readonly writes: number;
}

/** The cache in `file` if its header and checksum match the bundle, else undefined. */
function readCache(file: string, stamp: BundleStamp): Cache | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER_BYTES) return undefined;
  const data = bytes.subarray(HEADER_BYTES);
  if (
    bytes.readUInt32LE(0) !== MAGIC ||
    bytes.readUInt32LE(8) !== data.length ||
    bytes.readUInt32LE(12) !== stamp.size >>> 0 ||
    bytes.readDoubleLE(24) !== stamp.mtimeMs
  )
    return undefined;
  const crc = crc32();
  if (crc === undefined || crc(data) >>> 0 !== bytes.readUInt32LE(4)) return undefined;
  return { data, writes: bytes.readUInt32LE(16) };
}

/**
 * Writes `script`'s cached data (all it compiled so far) to `file`, atomically,
 * or `used`'s again when that is no smaller (only its count of writes grows);
 * ignores failures.
 */
function writeCache(file: string, script: Script, stamp: BundleStamp, used?: Cache): void {
  const crc = crc32();
  if (crc === undefined) return;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fresh = script.createCachedData();
    const data = used !== undefined && used.data.length >= fresh.length ? used.data : fresh;
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(crc(data) >>> 0, 4);
    header.writeUInt32LE(data.length, 8);
    header.writeUInt32LE(stamp.size >>> 0, 12);
    header.writeUInt32LE((used?.writes ?? 0) + 1, 16);
    header.writeDoubleLE(stamp.mtimeMs, 24);
    writeFileSync(temporary, Buffer.concat([header, data]));
    renameSync(temporary, file);
    // Caches of other builds of this bundle are stale for good: drop them.
    const [name, hash] = basename(file).split('-');
    for (const other of readdirSync(dirname(file))) {
      const [otherName, otherHash] = other.split('-');
      if (otherName === name && otherHash !== hash) unlinkSync(join(dirname(file), other));
    }
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // Never written.
    }
  }
}

/**
 * How a bundle was loaded: `declined` (not at all: the cache is off, there is
 * no node_modules, or no bundle file to read; the stub requires it),
 * `compiled` (no usable cache: one is written at exit) or `cached` (V8 took
 * the cached data).
 */
export type LoadedFrom = 'declined' | 'compiled' | 'cached';

/**
 * Runs the CommonJS bundle `bundle` as the body of `module` (the stub's own
 * module: what it exports, the package exports), through the code cache of
 * the package at `packageRoot`, or declines to.
 */
export function loadBundle(
  module: { exports: unknown },
  bundle: string,
  packageRoot: string,
  buildHash: string,
): LoadedFrom {
  const folder = cacheDisabled() ? undefined : cacheFolder(packageRoot);
  if (folder === undefined) return 'declined';
  const file = cacheFile(folder, bundle, buildHash);
  let bytes: Buffer;
  let stamp: BundleStamp;
  try {
    bytes = readFileSync(bundle);
    const { size, mtimeMs } = statSync(bundle);
    stamp = { size, mtimeMs };
  } catch {
    return 'declined';
  }
  const cache = readCache(file, stamp);
  // A hashbang is valid only at the very start of a script (Node's loader strips it the same way).
  if (bytes[0] === 0x23 && bytes[1] === 0x21) bytes.write('//', 0, 'latin1');
  // The wrapped source is decoded from one buffer: one string of the bundle's size, where reading
  // the text and then wrapping it made two (the concatenation, flattened for the compiler). The
  // bundle is the largest thing a fresh process allocates, in the young generation, whose
  // scavenges then fall in the first open (docs/performance.md, start-up).
  const source = Buffer.concat([WRAP_START_BYTES, bytes, WRAP_END_BYTES]).toString('utf8');
  const script = new Script(source, { filename: bundle, cachedData: cache?.data });
  const used = script.cachedDataRejected === false ? cache : undefined;
  if (used === undefined || used.writes < REFINING_RUNS)
    process.once('exit', () => writeCache(file, script, stamp, used));
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return used === undefined ? 'compiled' : 'cached';
}
