/** Where browse domains are looked for (RFC 6763 §11): search domains from resolv.conf, subnets' reverse domains (IPv4 and IPv6). */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { subnetReverseDomains, systemSearchDomains } from '../../src/unicast/browse-domains.js';

describe('browse-domain bases', () => {
  it('reads search and domain lines of resolv.conf', () => {
    const text =
      '# comment\nnameserver 192.0.2.53\nsearch corp.example. lab.example\ndomain corp.example\noptions ndots:2\n';
    assert.deepEqual(systemSearchDomains(text), ['corp.example', 'lab.example']);
    assert.deepEqual(systemSearchDomains(''), []);
  });

  it('names the reverse-mapping domain of each external IPv4 subnet', () => {
    const v4 = (address: string, netmask: string, internal = false): NetworkInterfaceInfo => ({
      address,
      netmask,
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal,
      cidr: null,
    });
    assert.deepEqual(
      subnetReverseDomains({
        lo: [v4('127.0.0.1', '255.0.0.0', true)],
        eth0: [v4('192.168.1.100', '255.255.255.0')],
        eth1: [v4('10.20.30.40', '255.255.0.0'), v4('10.20.99.1', '255.255.0.0')],
      }),
      ['0.1.168.192.in-addr.arpa', '0.0.20.10.in-addr.arpa'],
    );
  });

  it('names the ip6.arpa domain of each external IPv6 prefix, host bits cleared, link-local left out', () => {
    const v6 = (address: string, prefix: number, internal = false): NetworkInterfaceInfo => {
      const mask = Buffer.alloc(16);
      for (let bit = 0; bit < prefix; bit++)
        mask[bit >> 3] = (mask[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
      const groups = Array.from({ length: 8 }, (_, i) => mask.readUInt16BE(i * 2).toString(16));
      return {
        address,
        netmask: groups.join(':').replace(/(:0)+$/, '::'),
        family: 'IPv6',
        mac: '00:00:00:00:00:00',
        internal,
        cidr: `${address}/${prefix}`,
        scopeid: 0,
      };
    };
    const domains = subnetReverseDomains({
      lo: [v6('::1', 128, true)],
      eth0: [
        v6('fe80::1c2b:3aff:fe4d:5e6f', 64),
        v6('2001:db8:abcd:12:1c2b:3aff:fe4d:5e6f', 64),
        v6('2001:db8:abcd:12::99', 64),
      ],
      eth1: [v6('fd00:1:2:3456:7::1', 56)],
    });
    assert.deepEqual(domains, [
      `${'0.'.repeat(16)}2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa`,
      `${'0.'.repeat(18)}4.3.2.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa`,
    ]);
  });
});
