// Builds dist/esm (import) and dist/cjs (require) from one TypeScript source. Each CommonJS entry
// point is one esbuild bundle (RxJS and other dependencies stay outside it), beside tsc's
// declarations: Node 20 loads one file far faster than the ~90 modules tsc emits. Each bundle is
// loaded by a stub through a V8 code cache (src/load/code-cache.ts), and the ESM entry Node loads
// is a wrapper over the CommonJS one, so that `import` gets the same cache and one copy of the
// package per process; bundlers get an ESM bundle (docs/performance.md, start-up;
// docs/decisions.md). `--out DIR` builds elsewhere
// (the bench measures its own copy, so a build in the same checkout cannot pull it away).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const outIndex = process.argv.indexOf('--out');
const out = outIndex === -1 ? 'dist' : process.argv[outIndex + 1];
const tsc = (args) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', ...args], {
    stdio: 'inherit',
  });

rmSync(out, { recursive: true, force: true });
tsc(['-p', 'tsconfig.build.json', '--outDir', `${out}/esm`, '--emitDeclarationOnly']);
// The declarations are the same text for both formats; dist/cjs/package.json makes them CommonJS.
cpSync(`${out}/esm`, `${out}/cjs`, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
// The CommonJS bundles (the library, the command) and the loader that runs them through the cache.
await build({
  ...common,
  format: 'cjs',
  entryPoints: {
    'index.bundle': 'src/index.ts',
    // bin/cfstream.cjs starts the command as CommonJS, without Node's ESM loader.
    'cli/main.bundle': 'src/cli/main.ts',
    'code-cache': 'src/load/code-cache.ts',
  },
  outdir: `${out}/cjs`,
  // src/rx.ts loads RxJS through createRequire(import.meta.url); CommonJS has __filename instead.
  define: { 'import.meta.url': 'import_meta_url' },
  inject: ['scripts/cjs-import-meta.js'],
});
writeFileSync(`${out}/cjs/package.json`, '{ "type": "commonjs" }\n');

// The code cache runs the bundles with vm.Script, which has no loader for import(): a dynamic
// import in a CommonJS bundle would throw there (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
// A character past U+00FF anywhere in a bundle (esbuild escapes strings but keeps some comments
// as written) makes V8 hold the whole source as a two-byte string: twice the memory, in the young
// generation of a process that has just started (docs/performance.md, start-up).
for (const bundle of ['index.bundle.js', 'cli/main.bundle.js']) {
  const text = readFileSync(`${out}/cjs/${bundle}`, 'utf8');
  if (/\bimport\(/.test(text))
    throw new Error(`dist/cjs/${bundle} has an import(): src/load/code-cache.ts cannot run it`);
  const wide = text.match(/[\u0100-\u{10ffff}]/u);
  if (wide !== null)
    throw new Error(
      `dist/cjs/${bundle} has ${JSON.stringify(wide[0])} at ${wide.index}: write it in Latin-1 in src (a comment?)`,
    );
}

/** Writes the CommonJS entry `entry` (relative to dist/cjs): a stub that loads its bundle. */
const writeStub = (entry) => {
  const depth = entry.split('/').length - 1;
  const up = '../'.repeat(depth);
  const bundle = `${entry}.bundle.js`;
  const file = bundle.split('/').pop();
  const hash = createHash('sha256')
    .update(readFileSync(`${out}/cjs/${bundle}`))
    .digest('hex')
    .slice(0, 16);
  writeFileSync(
    `${out}/cjs/${entry}.js`,
    `'use strict';
// Written by scripts/build.mjs: runs ${file} through the V8 code cache (src/load/code-cache.ts),
// or requires it when the cache declines; bundlers follow that require. (Not written as
// \`module.exports = require(...)\`: Node's ESM loader would read that as a re-export and parse the
// whole bundle for its export names at every import.)
const { join } = require('node:path');
const from = require('./${up}code-cache.js').loadBundle(
  module,
  join(__dirname, '${file}'),
  join(__dirname, '${up}../..'),
  '${hash}',
);
if (from === 'declined') {
  const bundle = require('./${file}');
  module.exports = bundle;
}
`,
  );
};
writeStub('index');
writeStub('cli/main');

// The ESM bundle, for bundlers only (package.json's "module" condition, which Node ignores): an
// application bundled by esbuild, webpack or Rollup gets ES modules to follow, as before.
// Wide-area DNS-SD (src/netservice/unicast-discovery.ts) is an import() on first use: its own
// chunk. esbuild lists the package's exports for the wrapper below.
const { metafile } = await build({
  ...common,
  format: 'esm',
  entryPoints: { 'index.bundle': 'src/index.ts' },
  outdir: `${out}/esm`,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
const names = Object.values(metafile.outputs).find((o) => o.entryPoint === 'src/index.ts').exports;
// The ESM entry Node loads ("import") re-exports the CommonJS build, for its code cache.
writeFileSync(
  `${out}/esm/index.js`,
  `// Written by scripts/build.mjs: the ESM entry is the CommonJS build (one copy of the package per
// process, loaded through its V8 code cache: src/load/code-cache.ts).
// A static import of CommonJS (its module.exports as default), which bundlers follow too.
import lib from '../cjs/index.js';

export const {
${names.map((n) => `  ${n},`).join('\n')}
} = lib;
`,
);
