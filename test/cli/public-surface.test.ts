/**
 * The CLI is a user of the package like any other: every import of src/cli
 * is a Node built-in, a dependency, another CLI file or the package root
 * (src/index.ts). Anything the CLI needs beyond that, users need too: export
 * it from the root instead of reaching past it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles, specifiersOf } from '../support/imports.js';

const root = process.cwd();
const cliDir = join(root, 'src/cli');
const publicEntry = join(root, 'src/index.ts');

/** Why `specifier`, imported by `file`, is outside what the CLI may use; undefined when it is fine. */
function reach(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
  if (target === publicEntry) return undefined;
  if (!relative(cliDir, target).startsWith('..')) return undefined;
  return `${relative(root, file)} imports ${specifier}`;
}

describe('cli: the public surface only', () => {
  it('finds every kind of import it must judge', () => {
    const source = `import { a } from '../x.js';\nimport type { B } from '../../y.js';\nexport * from './z.js';\nimport './side.js';\nconst m = await import('../dyn.js');\nimport {\n  c,\n  d,\n} from '../multi.js';`;
    assert.deepEqual(specifiersOf(source), [
      '../x.js',
      '../../y.js',
      './z.js',
      './side.js',
      '../dyn.js',
      '../multi.js',
    ]);
    assert.equal(
      reach(join(cliDir, 'commands/a.ts'), '../../stream/write-stream.js'),
      'src/cli/commands/a.ts imports ../../stream/write-stream.js',
    );
    assert.equal(reach(join(cliDir, 'commands/a.ts'), '../../index.js'), undefined);
    assert.equal(reach(join(cliDir, 'a.ts'), './commands/index.js'), undefined);
  });

  it('imports nothing from src/ but the package root (src/index.ts)', () => {
    const outside = sourceFiles(cliDir).flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8')).flatMap((specifier) => reach(file, specifier) ?? []),
    );
    assert.deepEqual(outside, []);
  });
});
