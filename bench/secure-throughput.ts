/**
 * Throughput through TLS and SOCKS (issues 4 and 5): 1 GiB downloaded
 *  - over TLS: a pair secured with kCFStreamPropertySSLSettings against a raw
 *    tls.TLSSocket, both from the same TLS server child;
 *  - through dante-server: a pair with kCFStreamPropertySOCKSProxy against the
 *    npm `socks` client through the same proxy, and a direct raw connection.
 * The pair is measured through toDuplex() and through the CF-style API.
 * Runs are interleaved and their order rotated, as in throughput.ts.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { SocksClient } from 'socks';
import { startDante } from '../test/support/dante.js';
import { library } from './library.js';
import { GiB, median, round, timed } from './stats.js';

/** One measured way of downloading. */
export interface SecureRow {
  readonly family: 'tls' | 'socks';
  readonly api: string;
  readonly medianMs: number;
  readonly gbPerSecond: number;
  /** Throughput over the family's baseline (raw tls.TLSSocket; the npm socks client). */
  readonly ratio: number;
  readonly runsMs: number[];
}

type Download = () => Promise<number>;

const counter = (): { sink: Writable; bytes: () => number } => {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  return { sink, bytes: () => bytes };
};

function countSocket(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.once('end', () => {
      socket.destroy();
      resolve(bytes);
    });
    socket.once('error', reject);
  });
}

type Pair = ReturnType<ReturnType<typeof library>['createPairWithSocketToHost']>;

async function duplexDownload(pair: Pair): Promise<number> {
  const out = counter();
  try {
    await pipeline(pair.toDuplex(), out.sink);
  } finally {
    pair.close();
  }
  return out.bytes();
}

function cfDownload(pair: Pair): Promise<number> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.alloc(64 * 1024);
    let bytes = 0;
    pair.readStream.setClient(31, (stream, type) => {
      if (type === 2) {
        for (
          let n = stream.read(buffer, buffer.length);
          n > 0;
          n = stream.read(buffer, buffer.length)
        )
          bytes += n;
      } else if (type === 16) {
        pair.close();
        resolve(bytes);
      } else if (type === 8) {
        pair.close();
        reject(stream.copyError());
      }
    });
    pair.open();
  });
}

async function measure(
  cases: Record<string, Download>,
  size: number,
  repeats: number,
  log: (l: string) => void,
) {
  const names = Object.keys(cases);
  const runs = new Map<string, number[]>(names.map((n) => [n, []]));
  for (const name of names) await cases[name]!(); // warm-up
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      const { ms, result } = await timed(cases[name]!);
      if (result !== size) throw new Error(`${name}: got ${result} bytes, expected ${size}`);
      runs.get(name)!.push(round(ms, 1));
      log(`  ${name}: ${ms.toFixed(0)} ms`);
    }
  }
  return runs;
}

function rows(
  family: 'tls' | 'socks',
  runs: Map<string, number[]>,
  baseline: string,
  size: number,
): SecureRow[] {
  const base = median(runs.get(baseline)!);
  return [...runs].map(([api, ms]) => {
    const m = median(ms);
    return {
      family,
      api,
      medianMs: m,
      gbPerSecond: round(size / 1e9 / (m / 1000), 2),
      ratio: round(base / m, 2),
      runsMs: ms,
    };
  });
}

/** Runs the TLS and SOCKS measurements; `sourcePort` is the plain bench server's source port. */
export async function runSecure(options: {
  readonly size: number;
  readonly repeats: number;
  readonly sourcePort: number;
  readonly log: (line: string) => void;
}): Promise<SecureRow[]> {
  const { size, repeats, sourcePort, log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'cfstream-bench-tls-'));
  const dante = await startDante({ auth: false });
  let child: ChildProcess | undefined;
  try {
    // A self-signed certificate for 127.0.0.1, made now; the clients trust it as their root.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    child = fork(
      fileURLToPath(new URL('./tls-source.ts', import.meta.url)),
      [String(size), join(dir, 'cert.pem'), join(dir, 'key.pem')],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const [tlsPort] = (await once(child, 'message')) as [number];
    const lib = library();
    const tlsPair = (): Pair => {
      const pair = lib.createPairWithSocketToHost('127.0.0.1', tlsPort);
      pair.readStream.setProperty('kCFStreamPropertySSLSettings', {
        kCFStreamSSLTrustedRoots: cert,
      });
      return pair;
    };
    log(`\n4a. TLS: ${size / GiB} GiB download, ${repeats} runs each`);
    const tlsRuns = await measure(
      {
        'raw tls.TLSSocket': async () => {
          const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: cert });
          await once(socket, 'secureConnect');
          return countSocket(socket);
        },
        'pair duplex': () => duplexDownload(tlsPair()),
        'pair cf': () => cfDownload(tlsPair()),
      },
      size,
      repeats,
      log,
    );
    const socksPair = (): Pair => {
      const pair = lib.createPairWithSocketToHost('127.0.0.1', sourcePort);
      pair.readStream.setProperty('kCFStreamPropertySOCKSProxy', {
        SOCKSProxy: '127.0.0.1',
        SOCKSPort: dante.port,
      });
      return pair;
    };
    log(`\n4b. SOCKS5 through dante: ${size / GiB} GiB download, ${repeats} runs each`);
    const socksRuns = await measure(
      {
        'npm socks client': async () => {
          const { socket } = await SocksClient.createConnection({
            proxy: { host: '127.0.0.1', port: dante.port, type: 5 },
            command: 'connect',
            destination: { host: '127.0.0.1', port: sourcePort },
          });
          return countSocket(socket);
        },
        'pair duplex': () => duplexDownload(socksPair()),
        'pair cf': () => cfDownload(socksPair()),
        'direct raw (no proxy)': async () => {
          const socket = netConnect({ host: '127.0.0.1', port: sourcePort });
          await once(socket, 'connect');
          return countSocket(socket);
        },
      },
      size,
      repeats,
      log,
    );
    return [
      ...rows('tls', tlsRuns, 'raw tls.TLSSocket', size),
      ...rows('socks', socksRuns, 'npm socks client', size),
    ];
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await dante.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
