/** `cfstream connect` to host:port over TCP, its error paths, and usage errors of every command. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startStalledListener } from '../support/stalled-listener.js';
import { startServer } from '../support/tcp-peers.js';
import { jsonLines, runCfstream, startCfstream } from './cli-runner.js';

describe('cfstream connect (integration)', function () {
  this.timeout(30_000);
  before(requirePrivateNetwork);

  it('sends stdin, half-closes at its end, prints what the peer sends and exits 0 when the peer closes', async () => {
    // The peer answers only after our FIN: proof that the end of stdin half-closed the connection.
    const server = await startServer((socket) => {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('end', () => socket.end(`got ${JSON.stringify(received)}\n`));
    });
    try {
      const result = await runCfstream(['connect', `127.0.0.1:${server.port}`], {
        input: 'hello\nworld\n',
      });
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, 'got "hello\\nworld\\n"\n');
      assert.equal(result.status, 0);
    } finally {
      await server.close();
    }
  });

  it('exits 0 when the peer closes first, while stdin is still open', async () => {
    const server = await startServer((socket) => socket.end('bye\n'));
    try {
      const cli = startCfstream(['connect', `127.0.0.1:${server.port}`], { keepStdinOpen: true });
      const result = await cli.done;
      assert.equal(result.stdout, 'bye\n');
      assert.equal(result.status, 0);
    } finally {
      await server.close();
    }
  });

  it('loads no RxJS for a plain connect (start-up: only --events and --timeout watch events)', async () => {
    const server = await startServer((socket) => socket.pipe(socket));
    try {
      // NODE_DEBUG=module names every CommonJS file Node loads, RxJS's included.
      const result = await runCfstream(['connect', `127.0.0.1:${server.port}`], {
        input: 'one\n',
        env: { NODE_DEBUG: 'module' },
      });
      assert.equal(result.stdout, 'one\n');
      assert.equal(result.status, 0);
      assert.match(result.stderr, /cli\/main\.js/, 'NODE_DEBUG=module printed the loads');
      assert.doesNotMatch(result.stderr, /node_modules\/rxjs\//);
    } finally {
      await server.close();
    }
  });

  it('connects to [::1]:port', async () => {
    const server = await startServer((socket) => socket.pipe(socket), '::1');
    try {
      const result = await runCfstream(['connect', `[::1]:${server.port}`], { input: 'six\n' });
      assert.equal(result.stdout, 'six\n');
      assert.equal(result.status, 0);
    } finally {
      await server.close();
    }
  });

  it('prints stream events on stderr with --events, as JSON with --json', async () => {
    const server = await startServer((socket) => socket.pipe(socket));
    try {
      const text = await runCfstream(['connect', '--events', `127.0.0.1:${server.port}`], {
        input: 'x',
      });
      assert.match(text.stderr, /^cfstream connect: read stream: OpenCompleted$/m);
      assert.match(text.stderr, /^cfstream connect: read stream: EndEncountered$/m);
      // stdin stays open until the echo is back: its end closes the write stream, and a
      // stream closed before its OpenCompleted is delivered never gets it (as in CF).
      const cli = startCfstream(['connect', '--events', '--json', `127.0.0.1:${server.port}`], {
        input: 'x',
        keepStdinOpen: true,
      });
      await cli.waitForStdout(/x/);
      cli.child.stdin?.end();
      const json = await cli.done;
      assert.equal(json.stdout, 'x');
      const events = jsonLines(json.stderr);
      assert.ok(events.every((e) => e.event === 'stream'));
      const read = events.filter((e) => e.stream === 'read').map((e) => e.type);
      assert.equal(read[0], 'OpenCompleted');
      assert.equal(read.at(-1), 'EndEncountered');
      assert.ok(events.some((e) => e.stream === 'write' && e.type === 'OpenCompleted'));
      assert.deepEqual(events[0], {
        event: 'stream',
        stream: 'read',
        type: 'OpenCompleted',
        code: 1,
      });
    } finally {
      await server.close();
    }
  });

  it('reports a refused connection as POSIX ECONNREFUSED, exit 1', async () => {
    const port = await closedPort();
    const text = await runCfstream(['connect', `127.0.0.1:${port}`]);
    assert.equal(text.status, 1);
    assert.equal(text.stdout, '');
    assert.match(
      text.stderr,
      /^cfstream connect: POSIX \(domain 1\) code 111 ECONNREFUSED: connection refused \(.*\)\n$/,
    );
    const json = await runCfstream(['connect', '--json', `127.0.0.1:${port}`]);
    assert.equal(json.status, 1);
    const [error] = jsonLines(json.stderr);
    assert.deepEqual(
      { ...error, message: undefined },
      {
        event: 'error',
        domain: 1,
        domainName: 'POSIX',
        code: 111,
        error: 111,
        name: 'ECONNREFUSED',
        meaning: 'connection refused',
        message: undefined,
      },
    );
  });

  it('gives up after --timeout with POSIX ETIMEDOUT', async () => {
    const stalled = await startStalledListener();
    try {
      const started = Date.now();
      const result = await runCfstream([
        'connect',
        '--timeout',
        '300',
        `127.0.0.1:${stalled.port}`,
      ]);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /POSIX \(domain 1\) code 110 ETIMEDOUT: .*not connected within 300 ms/,
      );
      assert.ok(Date.now() - started < 5000);
    } finally {
      await stalled.close();
    }
  });

  it('reports an unreadable --ca file as a POSIX error, exit 1', async () => {
    const result = await runCfstream(['connect', '--ca', '/nonexistent/ca.pem', '127.0.0.1:1']);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^cfstream connect: POSIX \(domain 1\) code 2 ENOENT: no such file or directory \(cannot read --ca \/nonexistent\/ca.pem\)\n$/,
    );
  });

  it('reports a certificate file that is not PEM, exit 1', async () => {
    const file = join(tmpdir(), `cfstream-not-pem-${process.pid}.pem`);
    writeFileSync(file, 'not a certificate\n');
    const result = await runCfstream(['connect', '--ca', file, '127.0.0.1:1']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^cfstream connect: .+\n$/);
  });
});

describe('cfstream usage errors (integration)', function () {
  this.timeout(30_000);
  before(requirePrivateNetwork);

  const cases: Array<[string[], RegExp]> = [
    [['connect'], /missing target/],
    [['connect', 'nowhere'], /neither host:port/],
    [['connect', '127.0.0.1:0'], /target port must be an integer from 1 to 65535/],
    [['connect', '127.0.0.1:70000'], /target port must be an integer from 1 to 65535/],
    [['connect', '::1:80'], /IPv6 address in brackets/],
    [['connect', '--cert', 'c.pem', 'h:1'], /--cert and --key go together/],
    [['connect', '--peer-name', 'a', '--no-verify-name', 'h:1'], /contradict/],
    [['connect', '--socks', 'p:1080', '--socks-version', '6', 'h:1'], /4 or 5/],
    [['connect', '--socks-user', 'u', 'h:1'], /need --socks/],
    [['connect', '--socks', 'proxy', 'h:1'], /HOST:PORT/],
    [['connect', '--timeout', 'soon', 'h:1'], /--timeout must be a number/],
    [['connect', '--bogus', 'h:1'], /Unknown option '--bogus'/],
    [['connect', 'a:1', 'b:2'], /unexpected argument "b:2"/],
    [['browse'], /missing service type/],
    [['resolve'], /missing service instance name/],
    [['lookup'], /missing host name/],
    [['publish', 'Name', '_echo._tcp'], /missing name, type and port/],
    [['publish', 'Name', '_echo._tcp', 'http'], /port must be a number/],
    [['publish', 'Name', '_echo._tcp', '80', 'a=1', 'A=2'], /TXT key "A" given twice/],
    [['browse', '_echo._tcp', '--interface', ''], /--interface needs/],
    [['browse', '_echo._tcp', '--interface', 'bogus0'], /no interface or address "bogus0"/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /usage: cfstream <command>/],
  ];
  for (const [argv, message] of cases) {
    it(`cfstream ${argv.join(' ')} → exit 2`, async () => {
      const result = await runCfstream(argv);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, message);
    });
  }

  it('--json makes a usage error a JSON line', async () => {
    const result = await runCfstream(['connect', '--json', 'nowhere']);
    assert.equal(result.status, 2);
    const [error] = jsonLines(result.stderr);
    assert.equal(error?.event, 'error');
    assert.equal(error?.usage, true);
    assert.match(String(error?.message), /neither host:port/);
  });

  it('every command has --help (exit 0, on stdout) listing the common options', async () => {
    for (const command of ['browse', 'resolve', 'lookup', 'publish', 'connect']) {
      const result = await runCfstream([command, '--help']);
      assert.equal(result.status, 0);
      assert.match(result.stdout, new RegExp(`^usage: cfstream ${command} `));
      assert.match(result.stdout, /--interface/);
      assert.match(result.stdout, /--json/);
    }
    const top = await runCfstream(['--help']);
    assert.equal(top.status, 0);
    assert.match(top.stdout, /browse +list services/);
  });
});

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = await startServer(() => {});
  await server.close();
  return server.port;
}
