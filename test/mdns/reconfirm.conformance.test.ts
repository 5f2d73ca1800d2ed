/** Reconfirmation of records in dispute (RFC 6762 §10.4) on a fake clock. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import {
  type DnsRecord,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
} from '../../src/mdns/index.js';
import { cachedService, reconfirmService } from '../../src/mdns/resolve.js';
import { type FakeTransport, fakeEngine } from './fake-network.js';
import { addressRecord, srvRecord } from './records.js';

const INSTANCE = 'Svc._echo._tcp.local';
const srv = srvRecord(INSTANCE, 'peer.local', 7);
const addr = addressRecord('peer.local', '10.0.0.2');
const FAILED = {
  hostName: 'peer.local',
  port: 7,
  addresses: [{ address: '10.0.0.2', family: 4 as const }],
};

describe('mdns reconfirmation (RFC 6762 §10.4)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv, addr] }));
    clock.advance(2000);
  });
  afterEach(() => engine.close());

  it('unconfirmed: queried at once and at 1, 3 and 7 s without the disputed answers, unused, flushed at 10 s', () => {
    assert.ok(cachedService(engine.cache, INSTANCE), 'resolved before');
    reconfirmService(engine, INSTANCE, FAILED);
    assert.equal(
      cachedService(engine.cache, INSTANCE),
      undefined,
      'a record in dispute is not used',
    );
    clock.advance(9999);
    const sent = net.take();
    assert.deepEqual(
      sent.map((p) => [p.at - 2000, p.kind]),
      [
        [0, 'multicast'],
        [0, 'one-shot'],
        [1000, 'multicast'],
        [3000, 'multicast'],
        [7000, 'multicast'],
      ],
    );
    for (const p of sent) {
      assert.deepEqual(
        p.message.questions.map((q) => [q.name, q.type]),
        [
          [INSTANCE, RRType.SRV],
          ['peer.local', RRType.A],
        ],
      );
      assert.deepEqual(p.message.answers, [], 'a disputed record is no known answer');
    }
    assert.equal(engine.cache.lookup(INSTANCE, RRType.SRV).length, 1, 'kept until 10 s');
    clock.advance(1);
    assert.deepEqual(engine.cache.lookup(INSTANCE, RRType.SRV), [], 'SRV flushed');
    assert.deepEqual(engine.cache.lookup('peer.local', RRType.A), [], 'address flushed');
    assert.equal(engine.querier.activeCount, 0, 'questions stop');
    assert.equal(engine.reconfirmer.activeCount, 0);
    clock.advance(60_000);
    assert.deepEqual(net.take(), []);
  });

  it('confirmed: an answer within 10 s renews the records, which are used again and stay', () => {
    reconfirmService(engine, INSTANCE, FAILED);
    clock.advance(500);
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv, addr] }));
    assert.equal(cachedService(engine.cache, INSTANCE)?.port, 7);
    clock.advance(20_000);
    assert.equal(cachedService(engine.cache, INSTANCE)?.port, 7);
  });

  it('a new SRV (the service moved) replaces the disputed one at once', () => {
    reconfirmService(engine, INSTANCE, FAILED);
    clock.advance(50);
    const moved: DnsRecord = { ...srv, data: { ...srv.data, port: 8 } as DnsRecord['data'] };
    net.inject(makeMessage({ flags: Flag.QR, answers: [moved, addr] }));
    assert.equal(cachedService(engine.cache, INSTANCE)?.port, 8);
    clock.advance(20_000);
    assert.equal(cachedService(engine.cache, INSTANCE)?.port, 8);
  });
});
