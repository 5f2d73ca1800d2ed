/**
 * The live Bonjour commands, each a separate process: `browse --resolve`
 * follows found/updated/removed while a running `publish` takes new TXT
 * lines on stdin; `browse --types` and `publish --subtype`.
 */
import assert from 'node:assert/strict';
import { requirePrivateNetwork } from '../support/private-network.js';
import { jsonLines, runCfstream, startedForEachTest, uniqueName } from './cli-runner.js';

describe('cfstream live Bonjour commands (integration)', function () {
  this.timeout(40_000);
  before(requirePrivateNetwork);
  const start = startedForEachTest();

  it('browse --resolve shows found, then updated for each TXT line a running publish reads, then removed', async () => {
    const name = uniqueName('Live');
    const browse = start(['browse', '_cflive._tcp', '--resolve', '--json']);
    const publish = start(['publish', name, '_cflive._tcp', '7125', 'v=1', '--json'], {
      keepStdinOpen: true,
    });
    await publish.waitForStdout(/"event":"published"/);
    await browse.waitForStdout(/"event":"found".*"txt":\{"v":"1"\}/);
    publish.child.stdin?.write('v=2 mode=fast\n');
    await publish.waitForStdout(/"event":"updated".*"txt":\{"v":"2","mode":"fast"\}/);
    await browse.waitForStdout(
      /"event":"updated".*"txt":\{"(v":"2","mode":"fast|mode":"fast","v":"2)"\}/,
    );
    // A bad line is reported; the service keeps its TXT and keeps running.
    publish.child.stdin?.write('=nokey\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.match(publish.stderr(), /"event":"error"/);
    const stopped = await publish.stop('SIGINT');
    assert.equal(stopped.status, 0, stopped.stderr);
    await browse.waitForStdout(/"event":"removed"/);
    const events = jsonLines((await browse.stop()).stdout);
    assert.deepEqual(
      events.map((e) => e.event),
      ['found', 'updated', 'removed'],
    );
    const found = events[0] as Record<string, unknown>;
    assert.equal(found.instance, `${name}._cflive._tcp.local.`);
    assert.equal(found.port, 7125);
    assert.match(String(found.hostName), /\.local$/);
    assert.ok((found.addresses as { address: string }[]).some((a) => a.address === '127.0.0.1'));
  });

  it('browse --resolve prints text lines with host:port and TXT', async () => {
    const name = uniqueName('Text');
    const publish = start(['publish', name, '_cflivet._tcp', '7126', 'path=/x']);
    await publish.waitForStdout(/^published /m);
    const result = await runCfstream(['browse', '_cflivet._tcp', '--resolve', '--timeout', '1500']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^found {4}${name}\\._cflivet\\._tcp\\.local\\. {2}\\S+\\.local:7126 {2}path=/x$`,
        'm',
      ),
    );
  });

  it('publish --subtype answers for each subtype, and browse --types lists the type', async () => {
    const name = uniqueName('Sub');
    const publish = start([
      'publish',
      name,
      '_cfsub._tcp',
      '7127',
      '--subtype',
      '_printer',
      '--subtype',
      '_color',
      '--json',
    ]);
    const published = JSON.parse((await publish.waitForStdout(/^\{"event":"published".*\}$/m))[0]);
    assert.deepEqual(published.subtypes, ['_printer', '_color']);
    for (const sub of ['_printer', '_color']) {
      const found = await runCfstream([
        'browse',
        `${sub}._sub._cfsub._tcp`,
        '--json',
        '--timeout',
        '1500',
      ]);
      assert.equal(
        jsonLines(found.stdout)[0]?.instance,
        `${name}._cfsub._tcp.local.`,
        found.stderr,
      );
    }
    const types = await runCfstream(['browse', '--types', '--json', '--timeout', '1500']);
    assert.equal(types.status, 0, types.stderr);
    assert.ok(
      jsonLines(types.stdout).some((e) => e.event === 'found' && e.type === '_cfsub._tcp.'),
      types.stdout,
    );
    const text = await runCfstream(['browse', '--types', '--timeout', '1500']);
    assert.match(text.stdout, /^found {4}_cfsub\._tcp$/m);
  });

  it('usage: --types takes no type, and a bad subtype is a clear error', async () => {
    const both = await runCfstream(['browse', '--types', '_x._tcp']);
    assert.equal(both.status, 2);
    const bad = await runCfstream([
      'publish',
      'X',
      '_cfsub._tcp',
      '7128',
      '--subtype',
      'a.b',
      '--json',
    ]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /"event":"error".*subtype/);
  });
});
