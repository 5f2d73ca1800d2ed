/** `cfstream` against avahi-daemon, an independent mDNS responder. */
import assert from 'node:assert/strict';
import { type Avahi, avahiAvailable, startAvahi } from '../support/avahi.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startServer } from '../support/tcp-peers.js';
import { jsonLines, runCfstream, startedForEachTest } from './cli-runner.js';

describe('cfstream against avahi-daemon (integration)', function () {
  this.timeout(40_000);
  let avahi: Avahi | undefined;
  let echo: Awaited<ReturnType<typeof startServer>> | undefined;
  before(() => {
    requirePrivateNetwork();
    if (!avahiAvailable())
      throw new Error('avahi-daemon is not installed: apt-get install avahi-daemon');
  });
  const start = startedForEachTest();
  afterEach(async () => {
    await avahi?.stop();
    avahi = undefined;
    await echo?.close();
    echo = undefined;
  });

  it('browses, resolves, looks up and connects to a service avahi publishes', async () => {
    echo = await startServer((socket) => socket.pipe(socket));
    avahi = await startAvahi({
      services: [
        { name: 'Avahi CLI Echo', type: '_echo._tcp', port: echo.port, txt: ['from=avahi'] },
      ],
    });
    await avahi.waitForLog(/Avahi CLI Echo.*successfully established/);
    const instance = 'Avahi CLI Echo._echo._tcp.local.';

    const browse = await runCfstream(['browse', '_echo._tcp', '--json', '--timeout', '1500']);
    assert.equal(browse.status, 0, browse.stderr);
    assert.ok(jsonLines(browse.stdout).some((e) => e.event === 'found' && e.instance === instance));

    const resolve = await runCfstream(['resolve', '--json', instance]);
    assert.equal(resolve.status, 0, resolve.stderr);
    const [info] = jsonLines(resolve.stdout);
    assert.equal(info?.hostName, 'avahihost.local');
    assert.equal(info?.port, echo.port);
    assert.deepEqual(info?.txt, { from: 'avahi' });

    const lookup = await runCfstream(['lookup', 'avahihost.local']);
    assert.equal(lookup.status, 0, lookup.stderr);
    assert.match(lookup.stdout, /^127\.0\.0\.1$/m);

    const connect = await runCfstream(['connect', instance], { input: 'to avahi\n' });
    assert.equal(connect.stderr, '');
    assert.equal(connect.stdout, 'to avahi\n');
    assert.equal(connect.status, 0);
  });

  it('avahi hears our publish: a name avahi holds makes cfstream publish rename', async () => {
    avahi = await startAvahi({
      services: [{ name: 'CLI Shared', type: '_echo._tcp', port: 7300 }],
    });
    await avahi.waitForLog(/CLI Shared.*successfully established/);
    const publish = start(['publish', 'CLI Shared', '_echo._tcp', '7301']);
    const [line] = await publish.waitForStdout(/^published .*$/m);
    assert.equal(line, 'published CLI Shared (2)._echo._tcp.local. on port 7301');
  });
});
