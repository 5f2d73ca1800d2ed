/**
 * The live half of the API in a unicast DNS zone served by a real BIND 9:
 * services$ reports an instance found, a TXT change made with nsupdate as
 * `updated` and its deletion as `removed`; monitor$ follows an SRV moved to
 * another port; types$ lists the types of the zone's RFC 6763 §9 enumeration (and sees one
 * removed with nsupdate), and setTXTData on a publication replaces its TXT
 * with a signed UPDATE: dig sees the new TXT, and stop() still removes
 * exactly what is there; a change the server refuses rejects with its rcode.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { firstValueFrom } from 'rxjs';
import {
  configureUnicastDNS,
  ErrorDomain,
  NetService,
  NetServiceBrowser,
  NetServicesError,
  type StreamError,
} from '../../src/index.js';
import { resetUnicastDNS } from '../../src/unicast/config.js';
import { type BindServer, bindUnavailable, startBind } from '../support/bind.js';
import { requirePrivateNetwork } from '../support/private-network.js';

describe('unicast DNS-SD live view against BIND 9 (integration)', function () {
  this.timeout(30_000);
  let bind: BindServer;

  before(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    bind = await startBind({
      records: [
        '_services._dns-sd._udp IN PTR _http._tcp',
        '_services._dns-sd._udp IN PTR _ipp._tcp',
        '_http._tcp IN PTR Web._http._tcp',
        'Web._http._tcp IN SRV 0 0 80 ns',
        'Web._http._tcp IN TXT "v=1"',
        '_ipp._tcp IN PTR Printer._ipp._tcp',
        'Printer._ipp._tcp IN SRV 0 0 631 ns',
        'Printer._ipp._tcp IN TXT ""',
      ],
    });
  });
  after(async () => {
    await bind?.stop();
  });
  beforeEach(() =>
    configureUnicastDNS({
      servers: [bind.server],
      keys: { 'example.test.': bind.key },
      // The SOA serial is polled every 100 ms, so a change made with nsupdate shows at once.
      timings: { queryTimeoutMs: 1000, serialPollMs: 100 },
    }),
  );
  afterEach(() => resetUnicastDNS());

  it('types$ lists the types of the zone, and reports one removed with nsupdate', async () => {
    const events: string[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      const subscription = NetServiceBrowser.types$('example.test.').subscribe({
        next: (event) => {
          events.push(`${event.kind} ${event.type} ${event.domain}`);
          if (events.length === 2)
            void bind
              .nsupdate([
                'update delete _services._dns-sd._udp.example.test. PTR _ipp._tcp.example.test.',
              ])
              .catch(reject);
          if (event.kind === 'removed') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await seen;
    assert.deepEqual(events.slice(0, 2).sort(), [
      'found _http._tcp. example.test.',
      'found _ipp._tcp. example.test.',
    ]);
    assert.deepEqual(events.slice(2), ['removed _ipp._tcp. example.test.']);
  });

  it('setTXTData replaces the TXT of a publication: dig sees it, and stop() removes it', async () => {
    const OWNER = 'Live\\032One._http._tcp.example.test.';
    const service = new NetService('example.test.', '_http._tcp', 'Live One', 8080);
    await service.publish({ txt: { state: 'idle' } });
    assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"state=idle"']);
    service.setTXTData({ state: 'busy', jobs: '3' });
    await waitForDig(() => bind.dig(OWNER, 'TXT'), ['"state=busy" "jobs=3"']);
    // Our resolve reads the new TXT (the cached one was forgotten).
    const info = await firstValueFrom(
      new NetService('example.test.', '_http._tcp', 'Live One').resolve$(),
    );
    assert.equal(info.txt.state?.toString(), 'busy');
    await service.stop();
    assert.deepEqual(bind.dig(OWNER, 'TXT'), []);
    assert.deepEqual(bind.dig(OWNER, 'SRV'), []);
  });
  it('setTXTData settles with the server: a refused change rejects with its rcode, keeps the old TXT, and the next goes out', async () => {
    const OWNER = 'Live\\032Two._http._tcp.example.test.';
    const service = new NetService('example.test.', '_http._tcp', 'Live Two', 8081);
    await service.publish({ txt: { state: 'idle' } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await service.setTXTData({ state: 'busy' });
      // Resolved only once the server took it: dig sees it at once, no waiting.
      assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"state=busy"']);
      // Someone deletes the service's SRV on the server: the UPDATE's prerequisite (the SRV
      // still exists, RFC 2136 §2.4.1) fails and BIND answers NXRRSET.
      await bind.nsupdate([`update delete ${OWNER} SRV`]);
      // A caller who ignores the promise is not crashed by the refusal...
      void service.setTXTData({ state: 'ignored' });
      // ...and one who waits learns why.
      await assert.rejects(service.setTXTData({ state: 'gone' }), (error: StreamError) => {
        assert.equal(error.domain, ErrorDomain.NetServices);
        assert.equal(error.code, NetServicesError.NotFound);
        assert.equal((error.cause as { rcode?: string }).rcode, 'NXRRSET');
        assert.match(error.message, /TXT update of .*Live.*NXRRSET/s);
        return true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"state=busy"']);
      // The SRV back: the next change of the same publication goes out and is taken.
      await bind.nsupdate([`update add ${OWNER} 120 SRV 0 0 8081 ns.example.test.`]);
      await service.setTXTData({ state: 'back' });
      assert.deepEqual(bind.dig(OWNER, 'TXT'), ['"state=back"']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await service.stop();
    }
    assert.deepEqual(bind.dig(OWNER, 'TXT'), []);
  });

  it('services$ reports found, a TXT changed with nsupdate as updated, and removed', async () => {
    const WEB = 'Web._http._tcp.example.test.';
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = NetServiceBrowser.services$('_http._tcp', 'example.test.').subscribe({
        next: (event) => {
          if (event.service.name !== 'Web') return;
          events.push(`${event.kind} ${event.info.port} v=${event.info.txt.v?.toString()}`);
          const next =
            event.kind === 'found'
              ? [`update delete ${WEB} TXT`, `update add ${WEB} 60 TXT "v=2"`]
              : event.kind === 'updated'
                ? [`update delete _http._tcp.example.test. PTR ${WEB}`]
                : undefined;
          if (next !== undefined) void bind.nsupdate(next).catch(reject);
          else {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    assert.deepEqual(events, ['found 80 v=1', 'updated 80 v=2', 'removed 80 v=2']);
  });

  it('monitor$ follows an SRV moved to another port with nsupdate', async () => {
    const PRINTER = 'Printer._ipp._tcp.example.test.';
    const ports: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = new NetService('example.test.', '_ipp._tcp', 'Printer')
        .monitor$()
        .subscribe({
          next: (info) => {
            ports.push(info.port);
            if (ports.length === 1)
              void bind
                .nsupdate([
                  `update delete ${PRINTER} SRV`,
                  `update add ${PRINTER} 60 SRV 0 0 632 ns.example.test.`,
                ])
                .catch(reject);
            else {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
    });
    assert.deepEqual(ports, [631, 632]);
  });
});

/** dig until it shows `expected` (the UPDATE goes out after setTXTData returns). */
async function waitForDig(dig: () => string[], expected: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (JSON.stringify(dig()) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(dig(), expected);
}
