/**
 * The package as a user has it, for the benches that time fresh processes
 * (bench/cold-start.ts, bench/live-services.ts): built by
 * `node scripts/build.mjs --out` (the bundles and their code-cache stubs, as
 * `npm run build` ships them) into a private folder laid out as an install,
 * ROOT/node_modules/cfsocketstream/{dist,bin}, so that its V8 code cache
 * (src/load/code-cache.ts) lives where an installed package's does,
 * ROOT/node_modules/.cache/cfsocketstream, and goes with the folder. Clients
 * run it with plain `node` (no loader: tsx hooks every module load) through
 * its public entry, `installedEntry()`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../', import.meta.url));

/** Where the package is installed under `root`. */
export const installed = (root: string): string => `${root}/node_modules/cfsocketstream`;

/**
 * The file `import 'cfsocketstream'` loads in the install under `root`
 * (package.json's exports: ".", import, default); the build has no package.json of its own.
 */
export const installedEntry = (root: string): string => `${installed(root)}/dist/esm/index.js`;

/**
 * Builds the package as if installed under `root`: dist/ as `npm run build`
 * builds it, and bin/, in `root`/node_modules/cfsocketstream.
 */
export function buildPackage(root: string): Promise<void> {
  const out = `${installed(root)}/dist`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build.mjs', '--out', out], {
      cwd: CHECKOUT,
      stdio: 'inherit',
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`build exited ${code}`));
      // The command as installed: the launcher beside the build, as bin/ beside dist/.
      mkdirSync(`${installed(root)}/bin`);
      copyFileSync(`${CHECKOUT}bin/cfstream.cjs`, `${installed(root)}/bin/cfstream.cjs`);
      resolve();
    });
  });
}
