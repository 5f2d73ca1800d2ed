/**
 * The V8 code cache that loads the package's CommonJS bundles
 * (src/load/code-cache.ts): written at exit into node_modules/.cache, used by
 * the next process, ignored when stale or corrupt, never in the way of a load.
 * Each load is a fresh process, as the cache is written at exit, running the
 * loader compiled as the build compiles it (tsx would turn source maps on,
 * and with them the cache off).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// With a hashbang, as the command's bundle has.
const BUNDLE_SOURCE = `#!/usr/bin/env node
'use strict';
exports.answer = function answer() { return [1, 2, 3].map((n) => n * 14).reduce((a, b) => a + b); };
exports.file = __filename;
exports.required = typeof require('node:path').join;
`;

/** Loads `bundle` in a fresh process through loadBundle(); returns how, and what it exported. */
function load(
  loader: string,
  bundle: string,
  root: string,
  env: Record<string, string> = {},
): { from: string; answer: number; file: string; required: string } {
  const code = `
    const { loadBundle } = require(${JSON.stringify(loader)});
    const target = { exports: {} };
    const from = loadBundle(target, ${JSON.stringify(bundle)}, ${JSON.stringify(root)}, 'hash1');
    // As the build's stub does.
    if (from === 'declined') target.exports = require(${JSON.stringify(bundle)});
    const { answer, file, required } = target.exports;
    console.log(JSON.stringify({ from, answer: answer(), file, required }));
  `;
  const out = execFileSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', ...env },
  });
  return JSON.parse(out.trim());
}

describe('the code cache of the CommonJS bundles', function () {
  this.timeout(30_000);
  let dir: string;
  let root: string;
  let bundle: string;
  let cacheDir: string;
  let loader: string;
  const cacheFiles = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfstream-code-cache-'));
    // As installed: DIR/node_modules/cfsocketstream/dist/cjs/index.bundle.js.
    root = join(dir, 'node_modules', 'cfsocketstream');
    mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
    bundle = join(root, 'dist', 'cjs', 'index.bundle.js');
    writeFileSync(bundle, BUNDLE_SOURCE);
    cacheDir = join(dir, 'node_modules', '.cache', 'cfsocketstream');
    loader = join(dir, 'code-cache.cjs');
    buildSync({
      entryPoints: ['src/load/code-cache.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: loader,
      define: { 'import.meta.url': 'import_meta_url' },
      inject: ['scripts/cjs-import-meta.js'],
      logLevel: 'warning',
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const expected = (from: string) => ({ from, answer: 84, file: bundle, required: 'function' });

  it('writes the cache at exit under node_modules/.cache, and the next process uses it', () => {
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    assert.equal(cacheFiles().length, 1);
    assert.match(cacheFiles()[0] as string, /^index\.bundle-hash1-v\d+\.\d+\.\d+-\w+\.v8$/);
    assert.deepEqual(load(loader, bundle, root), expected('cached'));
    assert.deepEqual(
      cacheFiles(),
      readdirSync(cacheDir).filter((f) => f.endsWith('.v8')),
    );
  });

  it('ignores a corrupt or truncated cache, and writes a good one again', () => {
    load(loader, bundle, root);
    const file = join(cacheDir, cacheFiles()[0] as string);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[good.length - 10] = (flipped[good.length - 10] as number) ^ 0xff;
    writeFileSync(file, flipped);
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    assert.deepEqual(load(loader, bundle, root), expected('cached'));
    writeFileSync(file, good.subarray(0, good.length - 100));
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    writeFileSync(file, 'not a cache');
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    assert.deepEqual(load(loader, bundle, root), expected('cached'));
  });

  it('ignores the cache of a bundle that changed since (same build hash)', () => {
    load(loader, bundle, root);
    writeFileSync(bundle, BUNDLE_SOURCE.replace('n * 14', 'n * 15'));
    const changed = load(loader, bundle, root);
    assert.equal(changed.from, 'compiled');
    assert.equal(changed.answer, 90);
  });

  it('loads where the cache cannot be written, and writes nothing when turned off', () => {
    // A file where the folder would go: mkdir fails as on a read-only install.
    mkdirSync(join(dir, 'node_modules', '.cache'), { recursive: true });
    writeFileSync(cacheDir, '');
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    rmSync(cacheDir);
    assert.deepEqual(
      load(loader, bundle, root, { NODE_DISABLE_COMPILE_CACHE: '1' }),
      expected('declined'),
    );
    assert.deepEqual(cacheFiles(), []);
  });

  it('declines a bundle that is not there (an application bundler moved the stub)', () => {
    const code = `
      const target = { exports: {} };
      const from = require(${JSON.stringify(loader)}).loadBundle(target, '/index.bundle.js', '/', 'hash1');
      const gone = require(${JSON.stringify(loader)}).loadBundle(target, ${JSON.stringify(join(root, 'dist', 'cjs', 'gone.js'))}, ${JSON.stringify(root)}, 'hash1');
      console.log(from, gone);
    `;
    const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    assert.equal(out.trim(), 'declined declined');
  });

  it('runs a bundle with UTF-8 text as Node does (source and strings as written)', () => {
    // The loader decodes the wrapped bundle from bytes: a multi-byte character must come out
    // whole, in a string and in a function's source (Function.prototype.toString).
    writeFileSync(
      bundle,
      `#!/usr/bin/env node
'use strict';
// A comment: \u2500\u2502 \u00e9
exports.answer = function answer() { return '\u00e9\u2500\u{1f600}'.length * 21; };
exports.file = __filename;
exports.required = typeof require('node:path').join;
`,
    );
    const text = `
      const target = { exports: {} };
      require(${JSON.stringify(loader)}).loadBundle(target, ${JSON.stringify(bundle)}, ${JSON.stringify(root)}, 'hash1');
      console.log(JSON.stringify(target.exports.answer.toString()));
    `;
    const viaCache = (): string =>
      JSON.parse(execFileSync(process.execPath, ['-e', text], { encoding: 'utf8' }).trim());
    const asNodeLoadsIt = `function answer() { return '\u00e9\u2500\u{1f600}'.length * 21; }`;
    assert.deepEqual(load(loader, bundle, root), expected('compiled'));
    assert.equal(viaCache(), asNodeLoadsIt);
    assert.deepEqual(load(loader, bundle, root), expected('cached'));
    assert.equal(viaCache(), asNodeLoadsIt);
  });

  it('needs a node_modules folder: none, no cache', () => {
    const loose = join(dir, 'loose');
    mkdirSync(join(loose, 'dist', 'cjs'), { recursive: true });
    const file = join(loose, 'dist', 'cjs', 'index.bundle.js');
    writeFileSync(file, BUNDLE_SOURCE);
    assert.equal(load(loader, file, loose).from, 'declined');
    assert.equal(existsSync(join(loose, 'node_modules')), false);
  });
});
