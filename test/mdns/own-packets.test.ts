import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { OwnPackets } from '../../src/mdns/own-packets.js';
import { IFACE } from './fake-network.js';

describe('mdns own packets', () => {
  let clock: FakeClock;
  let own: OwnPackets;
  const packet = (n: number) => Buffer.from(`packet ${n} `.repeat(10));
  const to = (address: string, port = 5353) => [address, port] as const;
  beforeEach(() => {
    clock = new FakeClock();
    own = new OwnPackets(clock, () => [IFACE]);
  });

  it('knows a multicast we sent when it loops back from our address, and only then', () => {
    own.sent(packet(1));
    assert.equal(own.loopedBack(Buffer.from(packet(1)), '10.0.0.1', 5353), true);
    assert.equal(own.loopedBack(Buffer.from(packet(1)), 'fe80::1%eth0', 5353), true);
    assert.equal(
      own.loopedBack(packet(1), '10.0.0.2', 5353),
      false,
      'another host asking the same',
    );
    assert.equal(own.loopedBack(packet(2), '10.0.0.1', 5353), false);
  });

  it('keeps a unicast packet only when it went to our own address, on port 5353', () => {
    own.sentTo(packet(1), ...to('10.0.0.2'));
    own.sentTo(packet(2), ...to('10.0.0.1'));
    own.sentTo(packet(3), ...to('fe80::1%eth0'));
    own.sentTo(packet(4), ...to('10.0.0.1', 40000));
    assert.equal(own.loopedBack(packet(1), '10.0.0.1', 5353), false);
    assert.equal(own.loopedBack(packet(2), '10.0.0.1', 5353), true);
    assert.equal(own.loopedBack(packet(3), 'fe80::1%eth0', 5353), true);
    assert.equal(own.loopedBack(packet(4), '10.0.0.1', 5353), false, 'another program on our host');
  });

  it('§6.7: keeps a legacy reply to our own one-shot query, whose port it learned', () => {
    // Our one-shot query (from an ephemeral port) loops back to our port-5353 socket...
    own.sent(packet(1));
    assert.equal(own.loopedBack(packet(1), '10.0.0.1', 40001), true);
    // ...and our responder's legacy reply to that port reaches our one-shot socket.
    own.sentTo(packet(2), ...to('10.0.0.1', 40001));
    assert.equal(own.loopedBack(packet(2), '10.0.0.1', 5353), true);
  });

  it('forgets packets after 2 s, and all but the last 1,024', () => {
    own.sent(packet(0));
    clock.advance(2001);
    own.sent(packet(1));
    assert.equal(own.loopedBack(packet(0), '10.0.0.1', 5353), false);
    for (let n = 2; n <= 1025; n++) own.sent(packet(n));
    assert.equal(own.loopedBack(packet(1), '10.0.0.1', 5353), false);
    assert.equal(own.loopedBack(packet(2), '10.0.0.1', 5353), true);
  });

  it('still knows every kept packet when others of the same or another length leave', () => {
    // Packets are first told apart by length: the count per length must follow what is kept.
    const short = (n: number) => Buffer.from(`p${n}`);
    own.sent(short(1));
    clock.advance(1500);
    own.sent(short(2));
    own.sent(short(1)); // sent again: kept once, from now (its first send is 2.5 s old below)
    own.sent(packet(1));
    clock.advance(1000);
    own.sent(packet(2));
    assert.equal(own.loopedBack(short(1), '10.0.0.1', 5353), true);
    assert.equal(own.loopedBack(short(2), '10.0.0.1', 5353), true);
    assert.equal(own.loopedBack(packet(1), '10.0.0.1', 5353), true);
    clock.advance(1001);
    own.sent(packet(3)); // short(1), short(2) and packet(1) are now over 2 s old
    assert.equal(own.loopedBack(short(1), '10.0.0.1', 5353), false);
    assert.equal(own.loopedBack(short(2), '10.0.0.1', 5353), false);
    assert.equal(own.loopedBack(packet(1), '10.0.0.1', 5353), false);
    assert.equal(own.loopedBack(packet(2), '10.0.0.1', 5353), true);
    assert.equal(own.loopedBack(packet(3), '10.0.0.1', 5353), true);
    own.sent(short(3));
    assert.equal(own.loopedBack(short(3), '10.0.0.1', 5353), true);
  });

  it('follows the interface list when it is replaced', () => {
    let list = [IFACE];
    own = new OwnPackets(clock, () => list);
    assert.equal(own.isOwnAddress('10.0.0.9'), false);
    list = [
      { ...IFACE, addresses: [{ address: '10.0.0.9', netmask: '255.255.255.0', family: 4 }] },
    ];
    assert.equal(own.isOwnAddress('10.0.0.9'), true);
    assert.equal(own.isOwnAddress('10.0.0.1'), false);
  });
});
