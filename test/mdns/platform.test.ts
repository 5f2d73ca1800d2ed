/** Platform facts injected: scope ids (Windows), tunnels outside Linux (src/mdns/platform.ts). */
import assert from 'node:assert/strict';
import type { networkInterfaces } from 'node:os';
import { FakeClock } from '../../src/clock.js';
import { cachedAddresses } from '../../src/mdns/cached-addresses.js';
import { RFC_TIMINGS } from '../../src/mdns/engine-options.js';
import {
  interfaceForSource,
  listMulticastInterfaces,
  type MdnsInterface,
  onLinkSource,
} from '../../src/mdns/interfaces.js';
import { isSkippedTunnel, scopeId } from '../../src/mdns/platform.js';
import { RecordCache } from '../../src/mdns/record-cache.js';

const darwin = { platform: 'darwin' } as const;
const win32 = { platform: 'win32' } as const;
const linux = { platform: 'linux' } as const;

type Infos = ReturnType<typeof networkInterfaces>;
const v4 = (address: string, internal = false) => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
});
const v6 = (address: string, scopeid: number, internal = false) => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6' as const,
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
  scopeid,
});
/** A Mac on Wi-Fi with a VPN and Apple's peer-to-peer links. */
const MAC: Infos = {
  lo0: [v4('127.0.0.1', true), v6('::1', 0, true)],
  en0: [v6('fe80::1', 4), v4('192.168.1.20')],
  utun2: [v6('fe80::2', 9)],
  awdl0: [v6('fe80::3', 10)],
  llw0: [v6('fe80::4', 11)],
  ppp0: [v4('10.8.0.2')],
};

describe('mdns platform facts', () => {
  it('scope ids: the interface index on Windows, the name elsewhere', () => {
    assert.equal(scopeId({ name: 'Ethernet', index: 12 }, win32), '12');
    assert.equal(scopeId({ name: 'Ethernet' }, win32), 'Ethernet', 'no index known: the name');
    assert.equal(scopeId({ name: 'en0', index: 4 }, darwin), 'en0');
    assert.equal(scopeId({ name: 'eth0', index: 2 }, linux), 'eth0');
  });

  it('tunnels and point-to-point links are skipped outside Linux only', () => {
    for (const name of ['utun0', 'utun12', 'tun0', 'ppp0', 'awdl0', 'llw0', 'ipsec0'])
      assert.equal(isSkippedTunnel(name, darwin), true, name);
    for (const name of ['en0', 'bridge100', 'eth0', 'tunnel-like'])
      assert.equal(isSkippedTunnel(name, darwin), false, name);
    assert.equal(isSkippedTunnel('tun0', linux), false, 'Linux has the MULTICAST flag for that');
  });

  it('on macOS: en0 with its index; utun, awdl, llw and ppp only when named', () => {
    const used = listMulticastInterfaces(undefined, darwin, MAC);
    assert.deepEqual(
      used.map((i) => [i.name, i.index]),
      [['en0', 4]],
    );
    const asked = listMulticastInterfaces('utun2,en0', darwin, MAC);
    assert.deepEqual(
      asked.map((i) => i.name),
      ['en0', 'utun2'],
    );
  });

  it('a numeric scope (Windows) finds its interface by index; addresses get the index as scope', () => {
    const ifaces: MdnsInterface[] = [
      {
        name: 'Ethernet',
        index: 12,
        addresses: [{ address: 'fe80::a', netmask: 'ffff:ffff:ffff:ffff::', family: 6 }],
      },
      {
        name: 'Wi-Fi',
        index: 7,
        addresses: [{ address: 'fe80::b', netmask: 'ffff:ffff:ffff:ffff::', family: 6 }],
      },
    ];
    assert.equal(interfaceForSource(ifaces, 'fe80::5%7')?.name, 'Wi-Fi');
    assert.equal(interfaceForSource(ifaces, 'fe80::5%12')?.name, 'Ethernet');
    assert.equal(interfaceForSource(ifaces, 'fe80::5%Wi-Fi')?.name, 'Wi-Fi');
    const one = ifaces.slice(1);
    assert.deepEqual(onLinkSource(one, 'fe80::5', win32), {
      address: 'fe80::5%7',
      interfaceName: 'Wi-Fi',
    });
    assert.deepEqual(onLinkSource(one, 'fe80::5', linux), {
      address: 'fe80::5%Wi-Fi',
      interfaceName: 'Wi-Fi',
    });
  });

  it('a cached link-local address is scoped as the engine says', () => {
    const cache = new RecordCache(
      new FakeClock(),
      {
        maxCacheBytes: 1e6,
        maxBytesPerSource: 1e6,
        maxUnsolicitedBytes: 1e6,
        maxUnsolicitedBytesPerSource: 1e6,
      },
      RFC_TIMINGS,
    );
    cache.addRecords(
      [
        {
          name: 'peer.local',
          rrclass: 1,
          cacheFlush: true,
          ttl: 120,
          data: { type: 'AAAA', address: 'fe80::9' },
        },
      ],
      'Wi-Fi',
    );
    assert.deepEqual(
      cachedAddresses(cache, 'peer.local', () => '7'),
      [{ address: 'fe80::9%7', family: 6 }],
    );
    assert.deepEqual(cachedAddresses(cache, 'peer.local'), [
      { address: 'fe80::9%Wi-Fi', family: 6 },
    ]);
  });
});
