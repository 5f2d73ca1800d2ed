/**
 * `cfstream` in a unicast DNS domain served by a real BIND 9: publish with
 * --dns-server and --tsig (dig sees the records, and after Ctrl-C sees them
 * gone), browse and resolve with --dns-server, the same through
 * CFSTREAM_DNS_SERVERS; a bad --tsig is a usage error; the secret appears in
 * no output; a TXT line the server refuses is reported, not printed as updated.
 */
import assert from 'node:assert/strict';
import { type BindServer, bindUnavailable, startBind } from '../support/bind.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { jsonLines, runCfstream, startedForEachTest } from './cli-runner.js';

describe('cfstream in a unicast DNS domain against BIND 9 (integration)', function () {
  this.timeout(40_000);
  let bind: BindServer;

  beforeEach(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    bind = await startBind({
      records: ['web IN A 127.0.0.1', 'Docs._http._tcp IN SRV 0 0 8443 web'],
    });
  });
  const start = startedForEachTest();
  afterEach(async () => {
    await bind?.stop();
  });

  it('publish --tsig, browse and resolve --dns-server; Ctrl-C withdraws; no output holds the secret', async () => {
    const tsig = `example.test:hmac-sha256:${bind.key.name}:${bind.key.secret}`;
    const server = ['--dns-server', bind.server];
    const publish = start([
      'publish',
      'CLI Café',
      '_http._tcp',
      '8080',
      'path=/',
      '--domain',
      'example.test.',
      ...server,
      '--tsig',
      tsig,
      '--json',
    ]);
    await publish.waitForStdout(/"event":"published"/);
    assert.deepEqual(bind.dig('CLI\\032Caf\\195\\169._http._tcp.example.test', 'SRV').length, 1);

    const browse = await runCfstream([
      'browse',
      '_http._tcp',
      '--domain',
      'example.test.',
      ...server,
      '--timeout',
      '1500',
      '--json',
    ]);
    assert.equal(browse.status, 0, browse.stderr);
    assert.deepEqual(
      jsonLines(browse.stdout)
        .map((e) => `${e.event} ${e.name}`)
        .sort(),
      ['found CLI Café'],
    );

    const resolved = await runCfstream(['resolve', '--json', 'CLI Café._http._tcp.example.test.'], {
      env: { CFSTREAM_DNS_SERVERS: bind.server },
    });
    assert.equal(resolved.status, 0, resolved.stderr);
    assert.equal(jsonLines(resolved.stdout)[0]?.port, 8080);

    const stopped = await publish.stop();
    assert.match(stopped.stdout, /"event":"stopped"/, stopped.stderr);
    assert.deepEqual(bind.dig('CLI\\032Caf\\195\\169._http._tcp.example.test', 'SRV'), []);
    for (const text of [
      stopped.stdout,
      stopped.stderr,
      browse.stdout,
      browse.stderr,
      resolved.stdout,
      resolved.stderr,
    ])
      assert.ok(!text.includes(bind.key.secret));
  });

  it('publish takes TXT lines: updated once the server has the TXT, a refused one is an error line', async () => {
    const OWNER = 'Lines._http._tcp.example.test';
    const publish = start(
      [
        'publish',
        'Lines',
        '_http._tcp',
        '8080',
        'v=1',
        '--domain',
        'example.test.',
        '--dns-server',
        bind.server,
        '--tsig',
        `example.test:hmac-sha256:${bind.key.name}:${bind.key.secret}`,
        '--json',
      ],
      { keepStdinOpen: true },
    );
    await publish.waitForStdout(/"event":"published"/);
    publish.child.stdin?.write('v=2\n');
    await publish.waitForStdout(/"event":"updated".*"txt":\{"v":"2"\}/);
    assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"v=2"']);
    // The service deleted on the server: the next TXT UPDATE's prerequisite fails (NXRRSET).
    await bind.nsupdate([`update delete ${OWNER}. SRV`]);
    publish.child.stdin?.write('v=3\n');
    for (let i = 0; i < 100 && !publish.stderr().includes('NXRRSET'); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const [error] = jsonLines(publish.stderr());
    assert.equal(error?.event, 'error');
    assert.match(String(error?.message), /TXT update of .*Lines.*NXRRSET/s);
    assert.doesNotMatch(publish.stdout(), /"v":"3"/);
    assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"v=2"']);
  });

  it('a wrong secret fails publish with NOTAUTH/BADSIG, a malformed --tsig is a usage error; neither prints the secret', async () => {
    const wrong = Buffer.alloc(32, 9).toString('base64');
    const refused = await runCfstream([
      'publish',
      'Nope',
      '_http._tcp',
      '80',
      '--domain',
      'example.test.',
      '--dns-server',
      bind.server,
      '--tsig',
      `example.test:hmac-sha256:${bind.key.name}:${wrong}`,
      '--json',
    ]);
    assert.equal(refused.status, 1);
    const [error] = jsonLines(refused.stderr);
    assert.equal(error?.event, 'error');
    assert.match(String(error?.message), /NOTAUTH.*BADSIG/);
    assert.ok(!refused.stderr.includes(wrong) && !refused.stdout.includes(wrong));

    const bad = await runCfstream([
      'resolve',
      'Docs._http._tcp.example.test.',
      '--tsig',
      `example.test:hmac-md5:k:${wrong}`,
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /algorithm "hmac-md5"/);
    assert.ok(!bad.stderr.includes(wrong));
  });
});
