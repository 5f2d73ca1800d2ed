/**
 * One fresh-process measurement for bench/live-services.ts: subscribe to
 * `NetServiceBrowser.services$(type)` and time, from the subscription, until
 * `count` instances are reported found with their TXT; print one JSON line.
 * The engine is started (sockets bound) before the clock starts, as
 * python-zeroconf's Zeroconf() is before its browser's.
 *
 *   node --import tsx bench/live-client.ts TYPE COUNT
 *
 * The library is the build in $CFSTREAM_BENCH_BUILD, or src through tsx.
 */
import { pathToFileURL } from 'node:url';

const build = process.env.CFSTREAM_BENCH_BUILD;
const url = (file: string): string =>
  build
    ? pathToFileURL(`${build}/${file}.js`).href
    : new URL(`../src/${file}.ts`, import.meta.url).href;
const { getMdnsEngine } = (await import(
  url('mdns/index')
)) as typeof import('../src/mdns/index.js');
const { NetServiceBrowser } = (await import(
  url('netservice/index')
)) as typeof import('../src/netservice/index.js');

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('live-client sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const [type = '_bench._tcp', countText = '200'] = process.argv.slice(2);
const count = Number(countText);
await getMdnsEngine().ready();
const started = performance.now();
const found = new Set<string>();
const ms = await new Promise<number>((resolve, reject) => {
  const giveUp = setTimeout(
    () => reject(new Error(`only ${found.size} of ${count} in 30 s`)),
    30_000,
  );
  const subscription = NetServiceBrowser.services$(type).subscribe(({ kind, service, info }) => {
    if (kind === 'found' && info.txtStrings.length > 0) found.add(service.name);
    if (found.size === count) {
      clearTimeout(giveUp);
      subscription.unsubscribe();
      resolve(performance.now() - started);
    }
  });
}).catch((error: Error) => {
  console.log(JSON.stringify({ error: error.message }));
  process.exit(1);
});
console.log(JSON.stringify({ ms }));
process.exit(0);
