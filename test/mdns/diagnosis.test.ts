/** Why a lookup found nothing: error.diagnosis on a fake network and clock. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import type { LookupDiagnosis } from '../../src/diagnosis.js';
import { ErrorDomain, NetServicesError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { diagnoseLookup, editDistance, splitInstance } from '../../src/mdns/diagnosis.js';
import {
  type DnsRecord,
  encodePacket,
  Flag,
  type MdnsEngine,
  makeMessage,
  RRType,
  resolveHostWithEngine,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { type FakeTransport, fakeEngine } from './fake-network.js';
import { srvRecord } from './records.js';

const TYPE = '_ipp._tcp.local';
const ptr = (instance: string): DnsRecord => ({
  name: TYPE,
  rrclass: 1,
  cacheFlush: false,
  ttl: 4500,
  data: { type: 'PTR', target: `${instance}.${TYPE}` },
});
const srv = srvRecord(`Printer.${TYPE}`, 'peer.local', 631);

describe('mdns lookup diagnosis (error.diagnosis)', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
  });
  afterEach(() => engine.close());

  /** Resolves `instance` and lets the 5 s timeout pass, running `during` at 1 s; the error. */
  async function failedResolve(
    instance: string,
    during: () => void = () => {},
  ): Promise<StreamError & { diagnosis: LookupDiagnosis }> {
    const pending = resolveServiceWithEngine(engine, instance, {
      signal: new AbortController().signal,
    }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e as StreamError & { diagnosis: LookupDiagnosis },
    );
    clock.advance(1000);
    during();
    clock.advance(4000);
    const error = await pending;
    assert.equal(error.domain, ErrorDomain.NetServices);
    assert.equal(error.code, NetServicesError.Timeout);
    assert.ok(error.diagnosis, 'no diagnosis');
    assert.ok(
      error.message.endsWith(`${error.diagnosis.summary} (NetServices -72007)`),
      error.message,
    );
    return error;
  }

  it('a typo: after 1 s the type is browsed, and the closest instance name comes first', async () => {
    const error = await failedResolve(`Prnter.${TYPE}`, () => {
      const asked = net
        .take()
        .filter((p) => p.message.questions.some((q) => q.type === RRType.PTR));
      assert.deepEqual(
        asked.map((p) => [p.at, p.kind]),
        [
          [1000, 'multicast'],
          [1000, 'one-shot'],
        ],
        'the type is asked for at 1 s, not before',
      );
      net.inject(
        makeMessage({
          flags: Flag.QR,
          answers: [ptr('Scanner Office'), ptr('Printer'), ptr('Plotter')],
        }),
      );
    });
    assert.deepEqual(error.diagnosis.sameType, ['Printer', 'Plotter', 'Scanner Office']);
    assert.equal(error.diagnosis.packetsHeard, 1);
    assert.deepEqual(error.diagnosis.interfaces, ['eth0']);
    assert.match(error.diagnosis.summary, /^did you mean "Printer"\?/);
  });

  it('a silent link: no packet heard (our own looped back does not count)', async () => {
    const error = await failedResolve(`Printer.${TYPE}`, () => {
      const [ours] = net.take();
      assert.ok(ours);
      net.injectBytes(encodePacket(ours.message), { address: '10.0.0.1' });
    });
    assert.equal(error.diagnosis.packetsHeard, 0);
    assert.match(
      error.diagnosis.summary,
      /^no mDNS packet at all was heard on eth0 in 5 s: is multicast blocked/,
    );
  });

  it('SRV answered, its host never gave addresses', async () => {
    const error = await failedResolve(`Printer.${TYPE}`, () =>
      net.inject(makeMessage({ flags: Flag.QR, answers: [srv] })),
    );
    assert.deepEqual(error.diagnosis.srvWithoutAddresses, { hostName: 'peer.local', port: 631 });
    assert.match(error.diagnosis.summary, /"peer\.local" never gave its addresses/);
  });

  it('the name answered from an off-link address: heard, ignored (RFC 6762 §11), and said so', async () => {
    const error = await failedResolve(`Printer.${TYPE}`, () =>
      net.inject(makeMessage({ flags: Flag.QR, answers: [srv] }), {
        address: '192.0.2.77',
        interfaceName: undefined,
      }),
    );
    assert.deepEqual(error.diagnosis.offLink, [{ address: '192.0.2.77' }]);
    assert.match(error.diagnosis.summary, /answered from 192\.0\.2\.77, on none of our links/);
  });

  it('the name answering on an interface mDNS does not use: named, with the ones asked on', () => {
    net.inject(makeMessage({ flags: Flag.QR, answers: [srv] }), {
      address: '10.0.5.7',
      interfaceName: undefined,
    });
    const wlan0 = {
      name: 'wlan0',
      addresses: [{ address: '10.0.5.1', netmask: '255.255.255.0', family: 4 as const }],
    };
    const d = diagnoseLookup(engine, `Printer.${TYPE}`, 'service', 0, 5000, () => [wlan0]);
    assert.deepEqual(d.offLink, [{ address: '10.0.5.7', interfaceName: 'wlan0' }]);
    assert.equal(
      d.summary,
      'it answered from 10.0.5.7, on wlan0, an interface mDNS does not use (asked on eth0): ignored (RFC 6762 §11)',
    );
  });

  it('a host name: packets heard, none about it', async () => {
    const pending = resolveHostWithEngine(engine, 'nobody.local', {
      signal: new AbortController().signal,
    }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e as StreamError & { diagnosis: LookupDiagnosis },
    );
    clock.advance(10);
    net.inject(makeMessage({ flags: Flag.QR, answers: [ptr('Printer')] }));
    net.inject(makeMessage({ flags: Flag.QR, answers: [ptr('Plotter')] }));
    clock.advance(4990);
    const error = await pending;
    assert.equal(error.diagnosis.packetsHeard, 2);
    assert.equal(
      error.diagnosis.summary,
      '2 mDNS packets heard on eth0 in 5 s, nobody answers for it',
    );
    assert.match(error.message, /^no mDNS answer for "nobody\.local": 2 mDNS packets/);
  });

  it('edit distance and instance names', () => {
    assert.equal(editDistance('Prnter', 'printer'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.deepEqual(splitInstance('My\\.Printer._ipp._tcp.local'), {
      instance: 'My.Printer',
      type: '_ipp._tcp.local',
    });
    assert.equal(splitInstance('not-a-service.local'), undefined);
  });
});
