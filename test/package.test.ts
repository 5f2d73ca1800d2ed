/** The built package loads with both `require` and `import`, with the same surface. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

describe('the built package (dist/)', () => {
  it('loads through require and import with the same exports', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/cjs/index.js') as Record<string, unknown>;
    const esm = (await import(pathToFileURL(`${process.cwd()}/dist/esm/index.js`).href)) as Record<
      string,
      unknown
    >;
    for (const name of [
      'createPairWithSocketToHost',
      'CFStreamCreatePairWithSocketToCFHost',
      'RunLoop',
      'NetService',
      'StreamError',
    ]) {
      assert.equal(typeof cjs[name], 'function', `require: ${name}`);
      assert.equal(typeof esm[name], 'function', `import: ${name}`);
    }
    assert.deepEqual(
      Object.keys(cjs).sort(),
      Object.keys(esm)
        .filter((k) => k !== 'default')
        .sort(),
    );
    assert.equal(cjs.kCFStreamPropertySOCKSProxyHost, 'SOCKSProxy');
  });
});
