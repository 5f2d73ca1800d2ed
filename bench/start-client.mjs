// One fresh-process measurement for bench/cold-start.ts, in plain JavaScript so that Node runs
// it with no loader (tsx would cost more than the library). Prints one JSON line.
//
//   node bench/start-client.mjs import-esm|import-cjs BUILD
//   node bench/start-client.mjs open BUILD NAME
//
// BUILD is a folder made by `node scripts/build.mjs --out BUILD` (the package as it ships).
// import-*: ms to import the package (ESM or CommonJS), and how many RxJS modules loaded.
// open: imports the ESM build (timed), then a pair to the service NAME, one byte written, ms
// to the echoed byte ("after import"); then it closes the pair, stops the mDNS engine and
// lets the process end, as a client program would. `boot` is ms from the process's start to
// this file's first line (Node's own start-up), `done` ms from the process's start to the echo.
import { createRequire } from 'node:module';

const [mode, build, name] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const rxjsModules = () => Object.keys(require.cache).filter((k) => k.includes('/rxjs/')).length;
const t0 = performance.now();

if (mode === 'import-cjs') {
  require(`${build}/cjs/index.js`);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ import: ms, rxjsModules: rxjsModules() }));
} else {
  const lib = await import(`${build}/esm/index.js`);
  const importMs = performance.now() - t0;
  if (mode === 'import-esm') {
    console.log(JSON.stringify({ import: importMs, rxjsModules: rxjsModules() }));
  } else {
    const started = performance.now();
    const pair = lib.createPairWithSocketToNetService(lib.NetService.parse(name));
    const byte = Buffer.from('x');
    const buffer = Buffer.alloc(16);
    const { StreamEvent } = lib;
    const fail = (stream) => {
      console.log(JSON.stringify({ error: String(stream.copyError()?.message) }));
      process.exit(1);
    };
    pair.writeStream.setClient(StreamEvent.CanAcceptBytes | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) fail(s);
      else if (s.write(byte, 1) === 1) s.setClient(0, null);
    });
    pair.readStream.setClient(StreamEvent.HasBytesAvailable | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) fail(s);
      else if (s.read(buffer, buffer.length) > 0) {
        const open = performance.now() - started;
        pair.close();
        lib.resetMdnsEngine();
        console.log(JSON.stringify({ boot: t0, import: importMs, open, done: performance.now() }));
      }
    });
    pair.open();
  }
}
