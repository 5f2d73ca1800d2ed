/** The built package loads with both `require` and `import`, with the same surface and types. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { type BindServer, bindUnavailable, startBind } from './support/bind.js';

const ESM = pathToFileURL(`${process.cwd()}/dist/esm/index.js`).href;
const CJS = `${process.cwd()}/dist/cjs/index.js`;

/** Runs `code` in a fresh Node process (ESM) and returns what it printed. */
const freshNode = (code: string): string =>
  execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim();

describe('the built package (dist/)', () => {
  it('loads through require and import with the same exports', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require(CJS) as Record<string, unknown>;
    const esm = (await import(ESM)) as Record<string, unknown>;
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

  it('loads no RxJS until an observable API is used, then the caller’s own RxJS', () => {
    const out = freshNode(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const rxjsFiles = () => Object.keys(require.cache).filter((k) => k.includes('/rxjs/')).length;
      const esm = await import(${JSON.stringify(ESM)});
      const cjs = require(${JSON.stringify(CJS)});
      const atImport = rxjsFiles();
      const { Observable, firstValueFrom, observeOn, range, toArray } = await import('rxjs');
      const result = { atImport };
      for (const [name, lib] of [['esm', esm], ['cjs', cjs]]) {
        const pair = lib.createPairWithSocketToHost('127.0.0.1', 9);
        result[name] = {
          events: pair.readStream.events$ instanceof Observable,
          host: lib.Host.withName('localhost').resolve$() instanceof Observable,
          browse: lib.NetServiceBrowser.browse$('_echo._tcp') instanceof Observable,
          resolve: lib.NetService.parse('A._echo._tcp.local.').resolve$() instanceof Observable,
          observeOn: await firstValueFrom(range(0, 3).pipe(observeOn(lib.RunLoop.main), toArray())),
        };
        pair.close();
      }
      console.log(JSON.stringify(result));
    `);
    const yes = { events: true, host: true, browse: true, resolve: true, observeOn: [0, 1, 2] };
    assert.deepEqual(JSON.parse(out), { atImport: 0, esm: yes, cjs: yes });
  });

  it('loads neither node:tls, node:crypto nor wide-area DNS-SD at import', () => {
    // The unicast room imports node:crypto at its top: it would show here if it were evaluated.
    const loaded = (load: string): string[] =>
      JSON.parse(
        freshNode(`
          const before = new Set(process.moduleLoadList);
          ${load};
          const added = process.moduleLoadList.filter((m) => !before.has(m));
          console.log(JSON.stringify(added.filter((m) => m === 'NativeModule tls' || m === 'NativeModule crypto')));
        `),
      ) as string[];
    assert.deepEqual(loaded(`await import(${JSON.stringify(ESM)})`), []);
    assert.deepEqual(
      loaded(
        `(await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(CJS)})`,
      ),
      [],
    );
  });

  describe('wide-area DNS-SD, loaded on first use, against BIND 9', function () {
    this.timeout(60_000);
    let bind: BindServer;
    before(async () => {
      assert.equal(bindUnavailable(), undefined);
      bind = await startBind({ records: ['host IN A 127.0.0.1'] });
    });
    after(async () => {
      await bind?.stop();
    });

    // A fresh process per build, so that the first call is the one that loads the room: publish
    // (and a TXT change before the room is there), then resolve, browse and withdraw.
    for (const [format, load] of [
      ['ESM', `await import(${JSON.stringify(ESM)})`],
      [
        'CommonJS',
        `(await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(CJS)})`,
      ],
    ]) {
      it(`publishes, resolves and browses from the ${format} build`, () => {
        const out = freshNode(`
          const lib = ${load};
          const { firstValueFrom } = await import('rxjs');
          lib.configureUnicastDNS({
            servers: [${JSON.stringify(bind.server)}],
            keys: { 'example.test.': ${JSON.stringify(bind.key)} },
            timings: { queryTimeoutMs: 2000 },
          });
          const service = new lib.NetService('example.test.', '_http._tcp', 'Lazy ${format}', 8080);
          const published = service.publish({ txt: { a: '1' } });
          service.setTXTData({ a: '2' });
          let tooBig;
          try { service.setTXTData({ big: 'x'.repeat(65_000) }); } catch (error) { tooBig = error.code; }
          const name = await published;
          const found = await firstValueFrom(lib.NetServiceBrowser.browse$('_http._tcp', 'example.test.'));
          const info = await firstValueFrom(new lib.NetService('example.test.', '_http._tcp', name).resolve$());
          await service.stop();
          console.log(JSON.stringify({ name, tooBig, found: found.service.name, port: info.port }));
        `);
        assert.deepEqual(JSON.parse(out), {
          name: `Lazy ${format}`,
          tooBig: -72004,
          found: `Lazy ${format}`,
          port: 8080,
        });
      });
    }
  });

  it('works inside an application bundled by esbuild, from ESM and from CommonJS', function () {
    this.timeout(60_000);
    // A bundler resolves the package by its "exports": for import, the "module" condition (an ESM
    // bundle, as before); for require, the CommonJS stub, whose plain require it follows.
    const dir = mkdtempSync(join(tmpdir(), 'cfstream-bundled-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(process.cwd(), join(dir, 'node_modules', 'cfsocketstream'));
      const use = `console.log(JSON.stringify({
        exports: Object.keys(lib).length > 100,
        parsed: lib.NetService.parse('A._echo._tcp.local.').name,
        error: new lib.StreamError(1, 61, 'refused').code,
      }));`;
      writeFileSync(join(dir, 'esm.mjs'), `import * as lib from 'cfsocketstream';\n${use}`);
      writeFileSync(join(dir, 'cjs.cjs'), `const lib = require('cfsocketstream');\n${use}`);
      for (const [entry, format] of [
        ['esm.mjs', 'esm'],
        ['cjs.cjs', 'cjs'],
      ] as const) {
        const outfile = join(dir, 'out', `${format}.${format === 'esm' ? 'mjs' : 'cjs'}`);
        buildSync({
          entryPoints: [join(dir, entry)],
          bundle: true,
          platform: 'node',
          format,
          outfile,
          logLevel: 'error',
          // RxJS loads on first observable use only: not needed here.
          external: ['rxjs'],
        });
        const out = execFileSync(process.execPath, [outfile], { encoding: 'utf8', cwd: dir });
        assert.deepEqual(JSON.parse(out.trim()), { exports: true, parsed: 'A', error: 61 }, format);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('type-checks for an ESM and a CommonJS consumer', function () {
    this.timeout(60_000);
    // Inside the checkout, so that the package resolves by its own name ("exports").
    const dir = mkdtempSync(join(process.cwd(), '.package-consumer-'));
    try {
      const use = `
        const pair = createPairWithSocketToHost('127.0.0.1', 7);
        const events: Observable<unknown> = pair.readStream.events$.pipe(observeOn(RunLoop.main));
        const n: number = pair.readStream.read(Buffer.alloc(1), 1);
        export { events, n };`;
      writeFileSync(
        join(dir, 'esm.mts'),
        `import { createPairWithSocketToHost, RunLoop } from 'cfsocketstream';
         import { type Observable, observeOn } from 'rxjs';${use}`,
      );
      writeFileSync(
        join(dir, 'cjs.cts'),
        `import { createPairWithSocketToHost, RunLoop } from 'cfsocketstream';
         import { type Observable, observeOn } from 'rxjs';${use}`,
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const args = ['--noEmit', '--strict', '--module', 'nodenext', '--types', 'node'];
      execFileSync(process.execPath, [tsc, ...args, join(dir, 'esm.mts'), join(dir, 'cjs.cts')], {
        encoding: 'utf8',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
