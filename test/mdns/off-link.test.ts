/**
 * RFC 6762 §11: packets from off-link sources are neither answered nor
 * cached. The rule itself on injected interface lists, and the engine's side
 * of it on the fake network. The real transport on a two-host segment:
 * off-link.integration.test.ts.
 */
import assert from 'node:assert/strict';
import {
  type DnsRecord,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
} from '../../src/mdns/index.js';
import { interfaceForSource, type MdnsInterface, onLinkSource } from '../../src/mdns/interfaces.js';
import { type FakeTransport, fakeEngine, settle } from './fake-network.js';

const ETH0: MdnsInterface = {
  name: 'eth0',
  addresses: [
    { address: '10.77.0.1', netmask: '255.255.255.0', family: 4 },
    { address: 'fd77::1', netmask: 'ffff:ffff:ffff:ffff::', family: 6 },
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 6 },
  ],
};
const WLAN0: MdnsInterface = {
  name: 'wlan0',
  addresses: [{ address: '192.168.1.5', netmask: '255.255.255.0', family: 4 }],
};

describe('mdns off-link sources (RFC 6762 §11)', () => {
  describe('the rule', () => {
    it('one interface: a source outside its subnets is off-link (it used to count as on-link)', () => {
      assert.equal(interfaceForSource([ETH0], '10.99.0.2'), undefined);
      assert.equal(interfaceForSource([ETH0], '8.8.8.8'), undefined);
      assert.equal(interfaceForSource([ETH0], '2001:db8::1'), undefined);
      assert.equal(onLinkSource([ETH0], '10.99.0.2'), undefined);
    });

    it('a source on the subnet of one of our interfaces is on that link', () => {
      assert.equal(interfaceForSource([ETH0, WLAN0], '10.77.0.200')?.name, 'eth0');
      assert.equal(interfaceForSource([ETH0, WLAN0], '192.168.1.9')?.name, 'wlan0');
      assert.equal(interfaceForSource([ETH0, WLAN0], 'fd77::abcd')?.name, 'eth0');
      assert.deepEqual(onLinkSource([ETH0], '10.77.0.2'), {
        address: '10.77.0.2',
        interfaceName: 'eth0',
      });
    });

    it('our own addresses are on-link (multicast loopback)', () => {
      assert.equal(interfaceForSource([ETH0], '10.77.0.1')?.name, 'eth0');
      const lo: MdnsInterface = {
        name: 'lo',
        addresses: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 4 }],
      };
      assert.equal(interfaceForSource([lo], '127.0.0.1')?.name, 'lo');
      assert.equal(interfaceForSource([lo], '10.77.0.1'), undefined);
    });

    it('link-local IPv6 is on the link its scope names, if that interface is ours', () => {
      assert.deepEqual(onLinkSource([ETH0, WLAN0], 'fe80::99%eth0'), {
        address: 'fe80::99%eth0',
        interfaceName: 'eth0',
      });
      // wlan0 has no IPv6 address, but a link-local source can only be on the link it names.
      assert.equal(interfaceForSource([ETH0, WLAN0], 'fe80::99%wlan0')?.name, 'wlan0');
      assert.equal(interfaceForSource([ETH0, WLAN0], 'fe80::99%docker0'), undefined);
    });

    it('unscoped link-local IPv6 needs one of our fe80:: prefixes, and gets its scope', () => {
      assert.deepEqual(onLinkSource([ETH0], 'fe80::99'), {
        address: 'fe80::99%eth0',
        interfaceName: 'eth0',
      });
      assert.equal(interfaceForSource([WLAN0], 'fe80::99'), undefined);
    });

    it('no interfaces, or not an address: off-link', () => {
      assert.equal(interfaceForSource([], '10.77.0.2'), undefined);
      assert.equal(interfaceForSource([ETH0], 'not-an-address'), undefined);
      assert.equal(interfaceForSource([ETH0], ''), undefined);
    });
  });

  describe('the engine', () => {
    let engine: MdnsEngine;
    let net: FakeTransport;
    beforeEach(async () => {
      ({ engine, net } = await fakeEngine());
    });
    afterEach(() => engine.close());

    const srv: DnsRecord = {
      name: 'Evil._echo._tcp.local',
      rrclass: 1,
      cacheFlush: true,
      ttl: 120,
      data: { type: 'SRV', priority: 0, weight: 0, port: 6666, target: 'evil.local' },
    };

    it('caches nothing from a packet of unknown link', () => {
      const off = { address: '10.99.0.2', interfaceName: undefined };
      net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [srv] }), off);
      assert.equal(engine.cache.lookup(srv.name, RRType.SRV).length, 0);
      net.inject(makeMessage({ flags: Flag.QR | Flag.AA, answers: [srv] }));
      assert.equal(engine.cache.lookup(srv.name, RRType.SRV).length, 1, 'on-link control');
    });

    it('hands a query of unknown link to nobody', async () => {
      let seen = 0;
      const off = engine.onMessage(() => {
        seen += 1;
      });
      const query = makeMessage({
        id: 7,
        questions: [{ name: 'x.local', type: RRType.A, rrclass: 1, unicastResponse: true }],
      });
      net.inject(query, { address: '10.99.0.2', port: 40000, interfaceName: undefined });
      await settle();
      assert.equal(seen, 0);
      net.inject(query, { port: 40000 });
      assert.equal(seen, 1, 'on-link control');
      off();
    });
  });
});
