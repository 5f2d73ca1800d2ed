/** What publish reports (RFC 6762 §8.1, §17): refused when it cannot be sent, never a silent success. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { NetServicesError } from '../../src/error-codes.js';
import { Flag, type MdnsEngine } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { type FakeTransport, fakeEngine, type SentPacket, settle } from './fake-network.js';

/** TXT strings of 250 bytes, `total` bytes in all (with their length bytes). */
const txtOf = (total: number): Buffer[] =>
  Array.from({ length: Math.floor(total / 251) }, (_, i) => Buffer.from(`k${i}=`.padEnd(250, 'v')));
const responses = (sent: SentPacket[]) => sent.filter((p) => p.message.flags & Flag.QR);

describe('mdns responder publish outcomes', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  const publish = (txt: Buffer[]) =>
    publishWithEngine(engine, {
      name: 'Big',
      type: '_echo._tcp.',
      domain: 'local.',
      port: 7,
      txt,
      noRename: false,
    });

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('refuses a 9.7 KB TXT at once with BadArgument: it cannot fit one packet with its SRV', async () => {
    const pub = publish(txtOf(9700));
    await assert.rejects(
      pub.registered,
      (e: { code?: number; message?: string }) =>
        e.code === NetServicesError.BadArgument &&
        /does not fit in one mDNS packet/.test(e.message ?? ''),
    );
    await run(3000);
    assert.deepEqual(net.take(), [], 'nothing may be sent for a refused service');
  });

  it('refuses a TXT of 100,000 entries with BadArgument (RDATA over 65,535 bytes)', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => Buffer.from(`k${i}`));
    await assert.rejects(
      publish(many).registered,
      (e: { code?: number }) => e.code === NetServicesError.BadArgument,
    );
  });

  it('publishes an 8 KB TXT: every packet within 9000 bytes, the TXT alone where the MTU is smaller', async () => {
    const pub = publish(txtOf(8000));
    await run(3000);
    assert.equal(await pub.registered, 'Big');
    const sent = net.take();
    for (const p of sent) assert.ok(p.size + 48 <= 9000, `${p.size}-byte datagram`);
    const announced = responses(sent);
    assert.ok(announced.some((p) => p.message.answers.some((r) => r.data.type === 'TXT')));
    assert.ok(announced.some((p) => p.message.answers.some((r) => r.data.type === 'SRV')));
  });

  it('fails with the cause when no probe could be sent on any interface', async () => {
    net.failMulticast = Object.assign(new Error('send EPERM 224.0.0.251:5353'), { code: 'EPERM' });
    const pub = publish([Buffer.from('a=1')]);
    await run(3000);
    await assert.rejects(
      pub.registered,
      (e: { domain?: number; code?: number; message?: string }) => {
        assert.equal(e.domain, 1, 'POSIX domain');
        assert.match(e.message ?? '', /no probe could be sent \(send EPERM/);
        return true;
      },
    );
    net.failMulticast = undefined;
    await run(3000);
    assert.deepEqual(net.take(), [], 'a failed publication is not announced later');
  });

  it('fails when there is no interface to probe on', async () => {
    net.setInterfaces([]);
    await run(5000); // the engine reads its interfaces again
    const pub = publish([Buffer.from('a=1')]);
    await run(3000);
    await assert.rejects(pub.registered, /no multicast interface/);
  });

  it('publishes when some probes fail but others leave', async () => {
    net.failMulticast = new Error('transient');
    const pub = publish([Buffer.from('a=1')]);
    await run(200); // the first probe (at 125 ms) fails
    net.failMulticast = undefined;
    await run(3000);
    assert.equal(await pub.registered, 'Big');
  });
});
