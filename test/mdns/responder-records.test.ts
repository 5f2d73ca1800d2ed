/** Renaming on conflict (RFC 6762 §9) and the records a service owns. */
import assert from 'node:assert/strict';
import { nextHostName, nextInstanceName } from '../../src/mdns/responder-records.js';

describe('mdns responder records', () => {
  it('renames "Name" to "Name (2)", then counts up', () => {
    assert.equal(nextInstanceName('Name'), 'Name (2)');
    assert.equal(nextInstanceName('Name (2)'), 'Name (3)');
    assert.equal(nextInstanceName('Name (99)'), 'Name (100)');
  });

  it('counts exactly past 2^53: never renames to the same name', () => {
    assert.equal(nextInstanceName('Name (9007199254740992)'), 'Name (9007199254740993)');
    assert.equal(nextInstanceName('Name (18446744073709551615)'), 'Name (18446744073709551616)');
    assert.equal(nextHostName('host-9007199254740992.local'), 'host-9007199254740993.local');
  });

  it('keeps a renamed label within 63 octets, whole characters only', () => {
    const long = `${'é'.repeat(31)}x`;
    const next = nextInstanceName(long);
    assert.ok(Buffer.byteLength(next, 'utf8') <= 63, next);
    assert.ok(next.endsWith(' (2)'));
    assert.ok(!next.includes('\uFFFD'));
    // A count that no longer fits the label starts again rather than loop for ever.
    const huge = ` (${'9'.repeat(60)})`;
    assert.equal(nextInstanceName(huge), ' (2)');
    const host = `${'h'.repeat(60)}-99.local`;
    assert.ok(Buffer.byteLength(nextHostName(host).replace(/\.local$/, '')) <= 63);
    assert.ok(nextHostName(host).endsWith('-100.local'));
  });
});
