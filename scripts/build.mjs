// Builds dist/esm (import) and dist/cjs (require) from one TypeScript source.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const tsc = (args) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', ...args], {
    stdio: 'inherit',
  });
rmSync('dist', { recursive: true, force: true });
tsc(['-p', 'tsconfig.build.json', '--outDir', 'dist/esm']);
tsc([
  '-p',
  'tsconfig.build.json',
  '--outDir',
  'dist/cjs',
  '--module',
  'CommonJS',
  '--moduleResolution',
  'Node10',
  '--verbatimModuleSyntax',
  'false',
]);
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
