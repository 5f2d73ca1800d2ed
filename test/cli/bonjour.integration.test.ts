/** `cfstream` publish, browse, resolve, lookup and connect against each other, each a separate process. */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startServer } from '../support/tcp-peers.js';
import { jsonLines, runCfstream, startedForEachTest, uniqueName } from './cli-runner.js';

describe('cfstream Bonjour commands against each other (integration)', function () {
  this.timeout(40_000);
  before(requirePrivateNetwork);
  const start = startedForEachTest();

  it('publish → browse sees it come and go, resolve shows port, addresses and TXT', async () => {
    const name = uniqueName('CLI Echo');
    const browse = start(['browse', '_cfcli._tcp', '--json']);
    const publish = start(['publish', name, '_cfcli._tcp', '7123', 'path=/x', 'flag', '--json']);
    const published = JSON.parse(
      (await publish.waitForStdout(/^\{"event":"published".*\}$/m))[0],
    ) as Record<string, unknown>;
    assert.deepEqual(published, {
      event: 'published',
      instance: `${name}._cfcli._tcp.local.`,
      name,
      type: '_cfcli._tcp.',
      domain: 'local.',
      port: 7123,
      txt: { path: '/x', flag: true },
    });
    await browse.waitForStdout(new RegExp(`"event":"found","instance":"${name}\\._cfcli`));

    const resolved = await runCfstream(['resolve', '--json', `${name}._cfcli._tcp.local.`]);
    assert.equal(resolved.status, 0, resolved.stderr);
    const [info] = jsonLines(resolved.stdout);
    assert.equal(info?.event, 'resolved');
    assert.equal(info?.port, 7123);
    assert.deepEqual(info?.txt, { path: '/x', flag: true });
    assert.ok(
      ((info?.addresses as Array<{ address: string }> | undefined) ?? []).some(
        (a) => a.address === '127.0.0.1',
      ),
    );
    assert.match(String(info?.hostName), /\.local$/);

    const text = await runCfstream(['resolve', `${name}._cfcli._tcp.local.`]);
    assert.match(text.stdout, /^ {2}port {7}7123$/m);
    assert.match(text.stdout, /^ {2}txt {8}path=\/x flag$/m);

    // SIGINT: goodbyes, then "stopped" and exit 0; the browser sees the removal.
    const stopped = await publish.stop('SIGINT');
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.match(stopped.stdout, /"event":"stopped"/);
    await browse.waitForStdout(new RegExp(`"event":"removed","instance":"${name}\\._cfcli`));
    const events = jsonLines((await browse.stop()).stdout);
    assert.deepEqual(
      events.map((e) => e.event),
      ['found', 'removed'],
    );
  });

  it('browse --timeout ends by itself with exit 0, printing text lines', async () => {
    const name = uniqueName('Timed');
    const publish = start(['publish', name, '_cftimed._tcp', '7124']);
    await publish.waitForStdout(/^published /m);
    const result = await runCfstream(['browse', '_cftimed._tcp', '--timeout', '1500']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `found    ${name}._cftimed._tcp.local.\n`);
  });

  it('connect by service name: resolves, connects, echoes, exits 0', async () => {
    const echo = await startServer((socket) => socket.pipe(socket));
    try {
      const name = uniqueName('Echo By Name');
      const publish = start(['publish', name, '_cfecho._tcp', String(echo.port)]);
      await publish.waitForStdout(/^published /m);
      const result = await runCfstream(['connect', `${name}._cfecho._tcp.local.`], {
        input: 'over bonjour\n',
      });
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, 'over bonjour\n');
      assert.equal(result.status, 0);
    } finally {
      await echo.close();
    }
  });

  it('a second publish of the same name is renamed "Name (2)"; with --no-rename it fails with Collision', async () => {
    const name = uniqueName('Taken');
    const first = start(['publish', name, '_cfdup._tcp', '7125']);
    await first.waitForStdout(/^published /m);
    const second = start(['publish', name, '_cfdup._tcp', '7126']);
    const [line] = await second.waitForStdout(/^published .*$/m);
    assert.equal(line, `published ${name} (2)._cfdup._tcp.local. on port 7126`);
    const refused = await runCfstream(['publish', name, '_cfdup._tcp', '7127', '--no-rename']);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /^cfstream publish: NetServices \(domain 10\) code -72001 Collision: the service name is already in use/,
    );
  });

  it("connect reaches a publishing process's .local host name", async () => {
    const publish = start(['publish', uniqueName('Host'), '_cfhost._tcp', '7129']);
    await publish.waitForStdout(/^published /m);
    const server = await startServer((socket) => socket.pipe(socket));
    try {
      const result = await runCfstream(['connect', `${hostname()}.local:${server.port}`], {
        input: 'by name\n',
      });
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, 'by name\n');
      assert.equal(result.status, 0);
    } finally {
      await server.close();
    }
  });

  it("lookup finds a publishing process's host name", async () => {
    const publish = start(['publish', uniqueName('Host'), '_cfhost._tcp', '7128']);
    await publish.waitForStdout(/^published /m);
    const result = await runCfstream(['lookup', `${hostname()}.local`]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^127\.0\.0\.1$/m);
    const json = await runCfstream(['lookup', '--json', `${hostname()}.local`]);
    const [record] = jsonLines(json.stdout);
    assert.equal(record?.event, 'resolved');
    assert.ok(
      ((record?.addresses as Array<{ family: number }> | undefined) ?? []).some(
        (a) => a.family === 4,
      ),
    );
  });

  it('--interface lo narrows mDNS to loopback and still works', async () => {
    const name = uniqueName('On Lo');
    const publish = start(['publish', '--interface', 'lo', name, '_cflo._tcp', '7129']);
    await publish.waitForStdout(/^published /m);
    const result = await runCfstream([
      'resolve',
      '--interface',
      '127.0.0.1',
      `${name}._cflo._tcp.local.`,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /port {7}7129/);
  });

  it('not found: resolve, lookup and connect time out with NetServices -72007, exit 1', async () => {
    const resolve = await runCfstream([
      'resolve',
      '--timeout',
      '400',
      'Nobody._cfnone._tcp.local.',
    ]);
    assert.equal(resolve.status, 1);
    assert.match(
      resolve.stderr,
      /^cfstream resolve: NetServices \(domain 10\) code -72007 Timeout: timed out: no answer on the local network \(.*\)\n$/,
    );
    const json = await runCfstream([
      'resolve',
      '--json',
      '--timeout',
      '400',
      'Nobody._cfnone._tcp.local.',
    ]);
    const [error] = jsonLines(json.stderr);
    assert.equal(error?.event, 'error');
    assert.equal(error?.domain, 10);
    assert.equal(error?.domainName, 'NetServices');
    assert.equal(error?.code, -72007);
    assert.equal(error?.name, 'Timeout');
    // Why it was not found: the diagnosis, whose summary ends the message.
    const diagnosis = error?.diagnosis as { interfaces: string[]; summary: string } | undefined;
    assert.ok(diagnosis?.interfaces.includes('lo'), JSON.stringify(error));
    assert.ok(String(error?.message).endsWith(diagnosis?.summary ?? '-'));
    const lookup = await runCfstream(['lookup', '--timeout', '400', 'nobody-here.local']);
    assert.equal(lookup.status, 1);
    assert.match(lookup.stderr, /NetServices \(domain 10\) code -72007 Timeout/);
    const connect = await runCfstream([
      'connect',
      '--timeout',
      '400',
      'Nobody._cfnone._tcp.local.',
    ]);
    assert.equal(connect.status, 1);
    assert.match(connect.stderr, /NetServices \(domain 10\) code -72007 Timeout/);
  });

  it('a malformed service type is a NetServices BadArgument, exit 1', async () => {
    const result = await runCfstream(['browse', 'not-a-type']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /NetServices \(domain 10\) code -72004 BadArgument/);
  });
});
