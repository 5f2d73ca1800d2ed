/**
 * `npm run soak`: the long reliability run of issue 13, outside the test
 * command. Three phases, each bounded in count and time, with a bounded
 * number of operations in flight (this runs on small shared machines):
 *
 * 1. opens: SOAK_OPENS (10,000) pairs through dante-server (SOCKS5) and TLS
 *    to a local TLS echo server, one short echo each, SOAK_CONCURRENCY (50)
 *    at a time;
 * 2. publish: SOAK_CYCLES (2,000) publish/stop cycles of a NetService on the
 *    shared mDNS engine, SOAK_PUBLISH_CONCURRENCY (25) at a time;
 * 3. transfer: SOAK_BYTES (1 GiB) through SOCKS5+TLS to the echo server, the
 *    SHA-256 taken where the bytes are written, where the server receives
 *    them, and where the echo is read back.
 *
 * After each phase: no failed operation, handles and listeners back to the
 * phase's baseline, heap after GC within measure.ts's tolerance, RSS after GC
 * levelling off within the phase. Prints a
 * summary and exits 1 when any check fails. Runs inside the private network
 * namespace with --expose-gc (see package.json); traffic stays on loopback.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { resetMdnsEngine } from '../../src/index.js';
import { startDante } from '../support/dante.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { testCA } from '../support/test-ca.js';
import {
  backToBaseline,
  type Check,
  describeHandles,
  mib,
  PeakSampler,
  rssLevelsOff,
  type Snapshot,
  settledSnapshot,
  snapshot,
} from './measure.js';
import { type RunResult, runBounded, startTLSEchoServer } from './peers.js';
import { echoOnce, type PairTarget, securePairThroughProxy, transfer } from './soak-pairs.js';
import { publishAndStop } from './soak-publish.js';

const count = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer`);
  return value;
};
const OPENS = count('SOAK_OPENS', 10_000);
const CYCLES = count('SOAK_CYCLES', 2_000);
const BYTES = count('SOAK_BYTES', 1024 * 1024 * 1024);
const CONCURRENCY = count('SOAK_CONCURRENCY', 50);
const PUBLISH_CONCURRENCY = count('SOAK_PUBLISH_CONCURRENCY', 25);
const MINUTE = 60_000;
const OPEN_TIMEOUT_MS = 30_000;
const PUBLISH_TIMEOUT_MS = 30_000;

const checks: Check[] = [];
const lines: string[] = [];
const say = (line: string): void => {
  lines.push(line);
  console.log(line);
};
const check = (name: string, ok: boolean, detail: string): void => {
  checks.push({ name, ok, detail });
};

// Anything thrown outside an operation's own promise is a crash the soak must report.
let stray = 0;
process.on('uncaughtException', (error) => {
  stray += 1;
  console.error('uncaught exception:', error);
});
process.on('unhandledRejection', (error) => {
  stray += 1;
  console.error('unhandled rejection:', error);
});

function reportRun(phase: string, result: RunResult, expected: number): void {
  say(
    `${phase}: ${result.succeeded}/${expected} succeeded, ${result.failed} failed, ${(result.elapsedMs / 1000).toFixed(1)} s` +
      (result.timedOut ? ' (stopped at the phase deadline)' : ''),
  );
  for (const error of result.errors) say(`  ${error}`);
  check(
    `${phase}: every operation succeeded`,
    result.succeeded === expected && result.failed === 0,
    `${result.succeeded}/${expected}, ${result.failed} failed`,
  );
}

/** Runs one phase between two snapshots and records its checks and numbers. */
async function phase(
  name: string,
  listeners: () => number,
  body: (mark: () => void) => Promise<void>,
): Promise<void> {
  const before = await snapshot(listeners);
  const sampler = new PeakSampler();
  const cpu = process.cpuUsage();
  const started = Date.now();
  sampler.start();
  try {
    await body(() => sampler.mark());
  } finally {
    const peak = sampler.stop();
    const used = process.cpuUsage(cpu);
    const seconds = (Date.now() - started) / 1000;
    const after: Snapshot = await settledSnapshot(before, listeners);
    say(
      `${name}: ${seconds.toFixed(1)} s, CPU ${((used.user + used.system) / 1e6).toFixed(1)} s; ` +
        `heap after GC ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}, peak heap ${mib(peak.heapUsed)}, peak RSS ${mib(peak.rss)}, final RSS ${mib(after.rss)} (after GC)`,
    );
    say(`${name}: handles ${describeHandles(before)} -> ${describeHandles(after)}`);
    say(`${name}: listeners ${before.listeners} -> ${after.listeners}`);
    checks.push(...backToBaseline(name, before, after), rssLevelsOff(name, peak));
  }
}

async function main(): Promise<void> {
  requirePrivateNetwork();
  const wall = Date.now();
  say(
    `soak: ${OPENS} opens (${CONCURRENCY} at a time), ${CYCLES} publish/stop cycles (${PUBLISH_CONCURRENCY} at a time), ${mib(BYTES)} transfer; node ${process.version}, ${cpus().length} CPUs`,
  );
  const ca = await testCA();
  const dante = await startDante({ auth: false, logConnects: false });
  const server = await startTLSEchoServer(ca.valid);
  const target: PairTarget = {
    serverPort: server.port,
    proxyPort: dante.port,
    rootCert: ca.root.cert,
  };
  const message = Buffer.from('cfsocketstream soak echo\n');
  try {
    // Control: with the proxy's port closed the open fails, so the pairs below do go through dante.
    const closedProxy = await startTLSEchoServer(ca.valid);
    await closedProxy.close();
    const control = await echoOnce(
      securePairThroughProxy({ ...target, proxyPort: closedProxy.port }),
      message,
      OPEN_TIMEOUT_MS,
    ).then(
      () => 'succeeded',
      (error: Error) => `failed: ${error.message}`,
    );
    check('control: an open through a closed proxy port fails', control !== 'succeeded', control);
    // Warm-up: lazy module state, TLS contexts and the test CA exist before any baseline.
    await runBounded(CONCURRENCY, CONCURRENCY, MINUTE, () =>
      echoOnce(securePairThroughProxy(target), message, OPEN_TIMEOUT_MS),
    );

    await phase('opens', server.listeners, async (mark) => {
      const result = await runBounded(
        OPENS,
        CONCURRENCY,
        60 * MINUTE,
        () => echoOnce(securePairThroughProxy(target), message, OPEN_TIMEOUT_MS),
        (done) => {
          // A full GC every 100 opens bounds the uncollected native garbage (see measure.ts).
          if (done % 100 === 0) mark();
          if (done % 1000 === 0) console.log(`  opens: ${done}/${OPENS}`);
        },
      );
      reportRun('opens', result, OPENS);
      // The server sees each close a moment after the pair closed: allow it a few seconds.
      for (let wait = 0; wait < 50 && server.open() > 0; wait += 1) await sleep(100);
      check('opens: server holds no connection', server.open() === 0, `${server.open()} open`);
    });

    // The engine starts with the first publication; its sockets belong to the baseline.
    await publishAndStop(-1, PUBLISH_TIMEOUT_MS);
    await phase('publish', server.listeners, async (mark) => {
      const result = await runBounded(
        CYCLES,
        PUBLISH_CONCURRENCY,
        30 * MINUTE,
        (index) => publishAndStop(index, PUBLISH_TIMEOUT_MS),
        (done) => {
          if (done % 100 === 0) mark();
          if (done % 200 === 0) console.log(`  publish: ${done}/${CYCLES}`);
        },
      );
      reportRun('publish', result, CYCLES);
    });
    resetMdnsEngine();

    await phase('transfer', server.listeners, async (mark) => {
      const started = Date.now();
      let reported = 0;
      const result = await transfer(
        securePairThroughProxy(target),
        BYTES,
        randomBytes(256 * 1024),
        30 * MINUTE,
        (received) => {
          if (received - reported >= 64 * 1024 * 1024) {
            reported = received;
            console.log(`  transfer: ${mib(received)} back`);
            mark();
          }
        },
      );
      const seconds = (Date.now() - started) / 1000;
      const atServer = server.lastReceived();
      say(
        `transfer: ${result.sentBytes} bytes sent, ${atServer?.bytes} received by the server, ${result.receivedBytes} echoed back in ${seconds.toFixed(1)} s (${mib(BYTES / seconds)}/s each way)`,
      );
      say(`transfer: SHA-256 sent     ${result.sentSha256}`);
      say(`transfer: SHA-256 server   ${atServer?.sha256}`);
      say(`transfer: SHA-256 echoed   ${result.receivedSha256}`);
      check(
        'transfer: every byte sent, received and echoed',
        result.sentBytes === BYTES && atServer?.bytes === BYTES && result.receivedBytes === BYTES,
        `${result.sentBytes}/${atServer?.bytes}/${result.receivedBytes} of ${BYTES}`,
      );
      check(
        'transfer: SHA-256 equal on both ends',
        result.sentSha256 === atServer?.sha256 && result.sentSha256 === result.receivedSha256,
        result.sentSha256,
      );
    });
  } finally {
    await server.close();
    await dante.stop();
  }
  check('no uncaught exception or unhandled rejection', stray === 0, `${stray}`);

  const failed = checks.filter((c) => !c.ok);
  say('');
  say(`soak summary (${((Date.now() - wall) / 1000).toFixed(0)} s):`);
  for (const c of checks) say(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  say(failed.length === 0 ? 'soak: all checks passed' : `soak: ${failed.length} check(s) FAILED`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error('soak aborted:', error);
  process.exitCode = 1;
});
