// One fresh-process measurement for bench/live-services.ts, in plain JavaScript so that Node runs
// it as users run the package, with no loader (tsx hooks every module load in its process).
// Subscribes to `NetServiceBrowser.services$(type)` and times, from the subscription, until
// `count` instances are reported found with their TXT; prints one JSON line.
//
//   node bench/live-client.mjs ENTRY TYPE COUNT
//
// ENTRY is the package's public entry as installed (bench/installed-package.ts): its V8 code
// cache is used as an installed package's is, unless NODE_DISABLE_COMPILE_CACHE is set.
//
// The engine is started (sockets bound) before the clock starts, as python-zeroconf's Zeroconf()
// is before its browser's. The package has no public call that only starts it: any lookup starts
// it (resolveLocalHostName does, with the engine it gets first), and one whose signal is already
// aborted asks nothing and runs no lookup code. The binding cannot be awaited from outside, so
// the client waits BIND_MS, far more than the binding takes (a few ms on loopback; the engine's
// `ready()`, which the earlier tsx client awaited, settles then).
const BIND_MS = 100;

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('live-client sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const [entry, type = '_bench._tcp', countText = '200'] = process.argv.slice(2);
const count = Number(countText);
const { NetServiceBrowser, resolveLocalHostName } = await import(entry);
await resolveLocalHostName('engine-start.local', { signal: AbortSignal.abort() }).catch(() => {});
await new Promise((resolve) => setTimeout(resolve, BIND_MS));

const started = performance.now();
const found = new Set();
const ms = await new Promise((resolve, reject) => {
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
}).catch((error) => {
  console.log(JSON.stringify({ error: error.message }));
  process.exit(1);
});
console.log(JSON.stringify({ ms }));
process.exit(0);
