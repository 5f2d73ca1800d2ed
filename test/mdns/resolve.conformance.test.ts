/** Service resolution on a fake clock: a TXT record that trails SRV and addresses (RFC 6763 §6). */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { NetServicesError } from '../../src/error-codes.js';
import {
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { type FakeTransport, fakeEngine } from './fake-network.js';
import { addressRecord, srvRecord, txtRecord } from './records.js';

const INSTANCE = 'Svc._echo._tcp.local';
const srv = srvRecord(INSTANCE, 'peer.local', 7);
const addr = addressRecord('peer.local', '10.0.0.2');
const txt = txtRecord(INSTANCE, ['path=/x']);

describe('mdns service resolution: TXT after SRV (RFC 6763 §6)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  it('a TXT trailing by 2 s is asked for again after 100 ms (one-shot) and reported, never {}', async () => {
    const pending = resolveServiceWithEngine(engine, INSTANCE, {
      signal: new AbortController().signal,
      needTxt: true,
    });
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    clock.advance(0);
    net.take();
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv, addr] }));
    clock.advance(99);
    assert.deepEqual(net.take(), []);
    clock.advance(1);
    const again = net.take();
    assert.deepEqual(
      again.map((p) => [p.at, p.kind, p.message.questions.map((q) => q.type)]),
      [
        [100, 'multicast', [RRType.TXT]],
        [100, 'one-shot', [RRType.TXT]],
      ],
    );
    clock.advance(1900);
    await Promise.resolve();
    assert.equal(settled, false, 'still waiting for TXT');
    net.inject(makeMessage({ flags: Flag.QR, answers: [txt] }));
    const r = await pending;
    assert.deepEqual(r.txt, [Buffer.from('path=/x')]);
    assert.equal(r.port, 7);
  });

  it('a TXT that never comes fails the resolve with Timeout, naming the missing TXT', async () => {
    const pending = resolveServiceWithEngine(engine, INSTANCE, {
      signal: new AbortController().signal,
      needTxt: true,
      timeoutMs: 3000,
    }).catch((e: unknown) => e as Error & { code: number });
    clock.advance(0);
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv, addr] }));
    clock.advance(3000);
    const error = (await pending) as Error & { code: number };
    assert.equal(error.code, NetServicesError.Timeout);
    assert.match(error.message, /the TXT record never came/);
  });

  it('without needTxt (opening a pair) SRV and addresses are enough at once', async () => {
    const pending = resolveServiceWithEngine(engine, INSTANCE, {
      signal: new AbortController().signal,
    });
    clock.advance(0);
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv, addr] }));
    const r = await pending;
    assert.equal(r.txt, undefined);
    assert.equal(r.port, 7);
  });
});
