import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args.js';
import { parseTarget } from '../../src/cli/target.js';

describe('cli/target', () => {
  it('reads host:port, [v6]:port and service instance names', () => {
    assert.deepEqual(parseTarget('example.org:80'), {
      kind: 'host',
      host: 'example.org',
      port: 80,
    });
    assert.deepEqual(parseTarget('[fe80::1%eth0]:7'), {
      kind: 'host',
      host: 'fe80::1%eth0',
      port: 7,
    });
    const target = parseTarget('My\\.Echo._echo._tcp.local.');
    assert.equal(target.kind, 'service');
    if (target.kind === 'service') {
      assert.equal(target.service.name, 'My.Echo');
      assert.equal(target.service.type, '_echo._tcp.');
    }
  });

  it('refuses a bare IPv6 address, a bad port and anything else as usage errors', () => {
    for (const text of ['::1:80', 'host:0', 'host:65536', 'host', '_tcp', 'a b']) {
      assert.throws(() => parseTarget(text), UsageError, text);
    }
  });
});
