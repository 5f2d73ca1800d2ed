/** Runs every sample in samples/ as its own process (inside the private network namespace) and checks what it prints. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { requirePrivateNetwork } from './support/private-network.js';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runSample(
  file: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `samples/${file}`, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const expectations: Record<string, (run: Run) => void> = {
  'echo-demo.ts': ({ stdout }) => {
    assert.match(stdout, /^published "Demo Echo/m);
    assert.match(stdout, /echoed: hello over Bonjour/);
  },
  'connect-callbacks.ts': ({ stdout }) => {
    assert.match(stdout, /^connected to Callbacks Echo/m);
    assert.match(stdout, /echoed: hello by name\nwith callbacks\n/);
    assert.match(stdout, /the server closed its side\n$/);
  },
  'connect-rxjs.ts': ({ stdout }) => assert.equal(stdout, 'echoed: hello from RxJS\n'),
  'connect-duplex.ts': ({ stdout }) => assert.equal(stdout, 'echoed:\none\ntwo\nthree\n'),
  'zeroconf-chat.ts': ({ stdout }) => {
    for (const line of [
      'Alice is on the network',
      'Bob is on the network',
      'Alice greeted Bob',
      'Bob greeted Alice',
      'Alice heard: hello from Bob',
      'Bob heard: hello from Alice',
    ]) {
      assert.match(stdout, new RegExp(`^${line}$`, 'm'));
    }
  },
  'live-dashboard.ts': ({ stdout }) => {
    for (const line of [
      /^found {3}Kitchen: 21\.5 °C at \S+\.local:9001$/m,
      /^found {3}Cellar: 12\.0 °C at \S+\.local:9002$/m,
      /^updated Kitchen: 22\.0 °C at \S+\.local:9001$/m,
      /^removed Cellar: 12\.0 °C at \S+\.local:9002$/m,
    ])
      assert.match(stdout, line);
  },
  'tls-private-ca.ts': ({ stdout }) =>
    assert.equal(
      stdout,
      [
        'without the CA: SSL error -9807',
        'server certificate: CN=localhost (issued by CN=cfsocketstream sample CA)',
        'with the CA: echoed "over TLS\\n"',
        '',
      ].join('\n'),
    ),
  'wide-area.ts': ({ stdout }) => {
    assert.match(stdout, /^started BIND 9 of our own|^no CFSTREAM_DNS_SERVERS/m);
    assert.match(stdout, /^published "Wide Café" in example\.test\.$/m);
    assert.match(stdout, /^found Wide Café\._echo\._tcp\.example\.test\.$/m);
    assert.match(stdout, /^echoed: hello across the wide area$/m);
    assert.match(stdout, /^withdrawn$/m);
  },
  'through-socks.ts': ({ stdout }) => {
    assert.match(stdout, /\(the sample's own\)/);
    assert.match(stdout, /^echoed: hello through the proxy$/m);
    assert.match(stdout, /^the proxy served 1 connection\(s\)$/m);
  },
};

describe('samples (integration)', function () {
  this.timeout(60_000);
  before(requirePrivateNetwork);

  it('every sample has a test here', () => {
    const samples = readdirSync('samples').filter((f) => f.endsWith('.ts'));
    assert.deepEqual(samples.sort(), Object.keys(expectations).sort());
  });

  for (const [file, check] of Object.entries(expectations)) {
    it(`${file} runs with no setup and exits 0`, async () => {
      const run = await runSample(file);
      assert.equal(run.status, 0, `${file} exited ${run.status}\n${run.stdout}\n${run.stderr}`);
      check(run);
    });
  }
});
