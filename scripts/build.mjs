// Builds dist/esm (import) and dist/cjs (require) from one TypeScript source. Each entry point is
// one esbuild bundle (RxJS and other dependencies stay outside it), beside tsc's declarations:
// Node 20 loads one file far faster than the ~90 modules tsc emits, most of all through
// `import` (docs/performance.md, start-up; docs/decisions.md). `--out DIR` builds elsewhere
// (the bench measures its own copy, so a build in the same checkout cannot pull it away).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
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
await build({
  ...common,
  format: 'esm',
  entryPoints: { index: 'src/index.ts' },
  outdir: `${out}/esm`,
  // Wide-area DNS-SD (src/netservice/unicast-discovery.ts) is an import() on first use: its own
  // file, so that importing the package does not parse it. esbuild splits only ESM; the
  // CommonJS bundle keeps it inline, evaluated on first use.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({
  ...common,
  format: 'cjs',
  // The command too: bin/cfstream.cjs starts it as CommonJS, without Node's ESM loader.
  entryPoints: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  outdir: `${out}/cjs`,
  // src/rx.ts loads RxJS through createRequire(import.meta.url); CommonJS has __filename instead.
  define: { 'import.meta.url': 'import_meta_url' },
  inject: ['scripts/cjs-import-meta.js'],
});
writeFileSync(`${out}/cjs/package.json`, '{ "type": "commonjs" }\n');
