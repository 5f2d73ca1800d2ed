/** The responder when interface addresses change (RFC 6762 §10.1, §13), on a fake clock. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { Flag, type MdnsEngine } from '../../src/mdns/index.js';
import type { MdnsInterface } from '../../src/mdns/interfaces.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { type FakeTransport, fakeEngine, IFACE, type SentPacket, settle } from './fake-network.js';

const responses = (sent: SentPacket[]) => sent.filter((p) => p.message.flags & Flag.QR);
const addressRecords = (p: SentPacket) =>
  p.message.answers.flatMap((r) =>
    r.data.type === 'A' || r.data.type === 'AAAA' ? [[r.data.address, r.ttl] as const] : [],
  );

describe('mdns responder: addresses that change (RFC 6762 §10.1, §13)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
    const publication = publishWithEngine(engine, {
      name: 'My Echo',
      type: '_echo._tcp.',
      domain: 'local.',
      port: 7,
      txt: [Buffer.from('a=1')],
      noRename: false,
    });
    await run(10_000);
    await publication.registered;
    net.take();
  });
  afterEach(() => engine.close());

  it('§10.1: an IPv4 address gone with no replacement gets a goodbye at the next interface check', async () => {
    const v6only: MdnsInterface = { name: 'eth0', addresses: IFACE.addresses.slice(1) };
    net.setInterfaces([v6only]);
    await run(4999);
    assert.deepEqual(responses(net.take()), [], 'nothing before the check');
    await run(1);
    const sent = responses(net.take());
    const goodbye = sent.find((p) => p.message.answers.every((r) => r.ttl === 0));
    assert.ok(goodbye, 'no goodbye sent');
    assert.equal(goodbye.at, 15_000);
    assert.equal(goodbye.interfaceName, 'eth0');
    assert.deepEqual(addressRecords(goodbye), [['10.0.0.1', 0]]);
    // Then the records still true are announced again, without the address that left.
    const announced = sent.filter((p) => p !== goodbye).flatMap(addressRecords);
    assert.deepEqual(announced, [['fe80::1', 120]]);
  });

  it('an address replaced by another of its family is flushed by the announcement, and only the old one says goodbye', async () => {
    const renumbered: MdnsInterface = {
      name: 'eth0',
      addresses: [
        { address: '10.0.0.9', netmask: '255.255.255.0', family: 4 },
        ...IFACE.addresses.slice(1),
      ],
    };
    net.setInterfaces([renumbered]);
    await run(5000);
    const sent = responses(net.take());
    const byes = sent.flatMap(addressRecords).filter(([, ttl]) => ttl === 0);
    assert.deepEqual(byes, [['10.0.0.1', 0]]);
    const announced = sent.flatMap((p) =>
      p.message.answers.filter((r) => r.data.type === 'A' && r.ttl > 0),
    );
    assert.ok(announced.length > 0 && announced.every((r) => r.cacheFlush));
  });

  it('an interface that went away is not written to', async () => {
    net.setInterfaces([]);
    await run(5000);
    assert.deepEqual(
      responses(net.take()).filter((p) => p.interfaceName === 'eth0'),
      [],
    );
  });
});
