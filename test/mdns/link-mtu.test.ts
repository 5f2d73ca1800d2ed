/** The link MTU seam and the payload limits it gives (RFC 6762 §17). */
import assert from 'node:assert/strict';
import { payloadLimits, sysfsMtuReader } from '../../src/mdns/link-mtu.js';

describe('mdns link MTU', () => {
  it('reads /sys/class/net/<name>/mtu where sysfs has it', () => {
    const paths: string[] = [];
    const read = sysfsMtuReader((path) => {
      paths.push(path);
      return '1500\n';
    });
    assert.equal(read('eth0'), 1500);
    assert.deepEqual(paths, ['/sys/class/net/eth0/mtu']);
  });

  it('knows no MTU where sysfs has none, or says nonsense', () => {
    const missing = sysfsMtuReader(() => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    });
    assert.equal(missing('en0'), undefined);
    for (const text of ['', 'jumbo', '12', '1500.5'])
      assert.equal(sysfsMtuReader(() => text)('eth0'), undefined, text);
    // A name that is not one path component is never read.
    const never = sysfsMtuReader(() => assert.fail('read'));
    for (const name of ['../../etc', '.', '..', 'a/b', 'nul\0'])
      assert.equal(never(name), undefined);
  });

  it('limits a packet to the MTU (at most 9000) less 48 bytes of IPv6 and UDP header', () => {
    assert.deepEqual(payloadLimits(1500), { normal: 1452, lone: 8952 });
    assert.deepEqual(payloadLimits(65536), { normal: 8952, lone: 8952 });
    assert.deepEqual(payloadLimits(9000), { normal: 8952, lone: 8952 });
    // Unknown: Ethernet's 1500 is assumed, as §17 asks to stay under it when we can.
    assert.deepEqual(payloadLimits(undefined), { normal: 1452, lone: 8952 });
  });
});
