/**
 * A live dashboard: it watches every `_cfsensor._tcp` service on the link
 * and prints a line when one appears, changes its TXT (a sensor publishing
 * its reading), or leaves. NetServiceBrowser.services$ does the work: each
 * event carries the resolved host, port and TXT, and a sensor changing
 * faster than twice a second is merged into its latest reading.
 *
 *   node scripts/in-private-network.mjs node --import tsx samples/live-dashboard.ts
 *
 * With no argument it also starts a process of sensors (two of them: one
 * updates its reading with setTXTData, then one leaves) and stops once it
 * has seen that. With `watch` it only watches, until Ctrl-C, so you can run
 * `cfstream publish Kitchen _cfsensor._tcp 9000 celsius=20` beside it and
 * type new `celsius=...` lines into that publish.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NetService, NetServiceBrowser } from '../src/index.js';

const TYPE = '_cfsensor._tcp.';
const mode = process.argv[2];
if (mode === 'sensors') await runSensors();
else await dashboard(mode === 'watch');

/** Prints found/updated/removed; without `forever`, stops after one of each has been seen. */
async function dashboard(forever: boolean): Promise<void> {
  const seen = new Set<string>();
  const sensors = forever ? undefined : startSensors();
  await new Promise<void>((resolve) => {
    const giveUp = setTimeout(() => {
      console.error('dashboard: the sensors did not all show within 20 s');
      process.exitCode = 1;
      done();
    }, 20_000);
    const view = NetServiceBrowser.services$(TYPE).subscribe(({ kind, service, info }) => {
      const reading = info.txt.celsius === true ? '?' : (info.txt.celsius?.toString() ?? '-');
      console.log(
        `${kind.padEnd(7)} ${service.name}: ${reading} °C at ${info.hostName}:${info.port}`,
      );
      seen.add(kind);
      if (!forever && seen.size === 3) done();
    });
    function done(): void {
      clearTimeout(giveUp);
      view.unsubscribe();
      resolve();
    }
  });
  await sensors;
}

/** The sensors, as a second process: the dashboard sees them over the network. */
function startSensors(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, 'sensors'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', () => resolve());
  });
}

/** Two sensors: the kitchen's reading changes; then the cellar leaves, then the kitchen. */
async function runSensors(): Promise<void> {
  const kitchen = new NetService('local.', TYPE, 'Kitchen', 9001);
  const cellar = new NetService('local.', TYPE, 'Cellar', 9002);
  await Promise.all([
    kitchen.publish({ txt: { celsius: '21.5' } }),
    cellar.publish({ txt: { celsius: '12.0' } }),
  ]);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await pause(1500);
  kitchen.setTXTData({ celsius: '22.0' }); // peers see an update, never a new service
  await pause(1500);
  await cellar.stop(); // goodbyes: the dashboard sees "removed"
  await pause(2500);
  await kitchen.stop();
}
