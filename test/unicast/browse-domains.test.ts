/** Where browse domains are looked for (RFC 6763 §11): search domains from resolv.conf, subnets' reverse domains. */
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
});
