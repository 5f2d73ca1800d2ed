/** The live NetService API's argument checks and its behaviour for a discovery without the live half. */
import assert from 'node:assert/strict';
import { EMPTY, firstValueFrom, NEVER, of, toArray } from 'rxjs';
import { CFNetServiceSetTXTData } from '../../src/cf-functions.js';
import { ErrorDomain, NetServicesError } from '../../src/error-codes.js';
import {
  NetService,
  NetServiceBrowser,
  registerDiscovery,
  type ServiceDiscovery,
} from '../../src/netservice/index.js';
import { checkSubtype } from '../../src/netservice/service-name.js';
import { typeFromEnumeration } from '../../src/netservice/service-types.js';

const isCode = (code: number, pattern?: RegExp) => (e: unknown) => {
  const error = e as { domain: number; code: number; message: string };
  return (
    error.domain === ErrorDomain.NetServices &&
    error.code === code &&
    (pattern === undefined || pattern.test(error.message))
  );
};

/** A discovery with only the required members, as a unicast one may be. */
const plain: ServiceDiscovery = {
  resolve: () => Promise.reject(new Error('not here')),
  cached: () => undefined,
  browse: () => NEVER,
  publish: () => ({ registered: Promise.resolve('Plain'), stop: async () => {} }),
};

describe('live NetService API', () => {
  before(() => registerDiscovery('nolive.test.', plain));

  it('a discovery without the live half fails each live call with a clear BadArgument, not a crash', async () => {
    const unsupported = (what: string) =>
      isCode(
        NetServicesError.BadArgument,
        new RegExp(`${what.replace('$', '\\$')} is not supported for domain "nolive\\.test\\."`),
      );
    await assert.rejects(
      firstValueFrom(NetServiceBrowser.services$('_http._tcp', 'nolive.test')),
      unsupported('services$'),
    );
    await assert.rejects(
      firstValueFrom(NetServiceBrowser.types$('nolive.test')),
      unsupported('types$'),
    );
    await assert.rejects(
      firstValueFrom(new NetService('nolive.test', '_http._tcp', 'X').monitor$()),
      unsupported('monitor$'),
    );
    const service = new NetService('nolive.test', '_http._tcp', 'X');
    await assert.rejects(
      service.publish({ port: 80, subtypes: ['_printer'] }),
      unsupported('publishing subtypes'),
    );
    await service.publish({ port: 80 });
    assert.throws(() => service.setTXTData({ a: '1' }), unsupported('setTXTData'));
    await service.stop();
  });

  it('setTXTData on a service not published is NetServices Invalid; bad TXT is BadArgument first', () => {
    const service = new NetService('local.', '_http._tcp', 'Not Published');
    assert.throws(() => service.setTXTData({ a: '1' }), isCode(NetServicesError.Invalid));
    assert.throws(
      () => service.setTXTData({ 'bad=key': '1' }),
      isCode(NetServicesError.BadArgument),
    );
    assert.throws(
      () => service.setTXTData({ big: 'x'.repeat(300) }),
      isCode(NetServicesError.BadArgument, /over 255/),
    );
    // TXT RDATA as CFNetServiceSetTXTData takes it: a string running past the end is malformed.
    assert.throws(
      () => service.setTXTData(Buffer.from([5, 0x61])),
      isCode(NetServicesError.BadArgument, /malformed/),
    );
  });

  it('CFNetServiceSetTXTData returns false where setTXTData throws', () => {
    const service = new NetService('local.', '_http._tcp', 'Not Published');
    assert.equal(CFNetServiceSetTXTData(service, Buffer.from([3, 0x61, 0x3d, 0x31])), false);
    assert.equal(CFNetServiceSetTXTData(service, Buffer.from([5, 0x61])), false);
  });

  it('subtypes: "_printer" or the full "_printer._sub.<type>", one label of at most 63 bytes', () => {
    assert.equal(checkSubtype('_printer', '_http._tcp.'), '_printer');
    assert.equal(checkSubtype('_printer._sub._http._tcp', '_http._tcp.'), '_printer');
    assert.equal(checkSubtype('_Printer._SUB._HTTP._tcp.', '_http._tcp.'), '_Printer');
    for (const bad of ['', 'a.b', '_printer._sub._ipp._tcp', 'x'.repeat(64)])
      assert.throws(
        () => checkSubtype(bad, '_http._tcp.'),
        isCode(NetServicesError.BadArgument),
        bad,
      );
  });

  it('browse$ of the §9 meta-type is refused (it lists types, not instances): use types$', () => {
    assert.throws(
      () => NetServiceBrowser.browse$('_services._dns-sd._udp'),
      isCode(NetServicesError.BadArgument, /types\$/),
    );
    assert.throws(
      () => NetServiceBrowser.services$('_services._dns-sd._udp.'),
      isCode(NetServicesError.BadArgument),
    );
  });

  it("browse$ reports only instances of the browsed type: a subtype or another type's name is no instance", async () => {
    registerDiscovery('bogus.test.', {
      ...plain,
      browse: () =>
        of(
          {
            kind: 'found' as const,
            instance: '_printer._sub._http._tcp.bogus.test',
            moreComing: true,
          },
          { kind: 'found' as const, instance: 'Other._ipp._tcp.bogus.test', moreComing: true },
          { kind: 'found' as const, instance: 'Good._http._tcp.bogus.test', moreComing: false },
        ),
    });
    const found = await firstValueFrom(
      NetServiceBrowser.browse$('_http._tcp', 'bogus.test').pipe(toArray()),
    );
    assert.deepEqual(
      found.map((e) => e.service.name),
      ['Good'],
    );
  });

  it('types from the §9 enumeration: "<_service>.<_proto>.<domain>" only', () => {
    assert.equal(typeFromEnumeration('_http._tcp.local', 'local.'), '_http._tcp.');
    assert.equal(typeFromEnumeration('_HTTP._TCP.LOCAL', 'local.'), '_HTTP._TCP.');
    assert.equal(typeFromEnumeration('_printer._sub._http._tcp.local', 'local.'), undefined);
    assert.equal(typeFromEnumeration('_http._tcp.example.com', 'local.'), undefined);
    assert.equal(typeFromEnumeration('http._tcp.local', 'local.'), undefined);
    assert.equal(typeFromEnumeration('_http._xyz.local', 'local.'), undefined);
    assert.equal(typeFromEnumeration('_http._tcp.example.com', 'example.com.'), '_http._tcp.');
  });

  it('an empty discovery stream completes services$ quietly', async () => {
    registerDiscovery('empty.test.', { ...plain, services: () => EMPTY });
    const events: unknown[] = [];
    await new Promise<void>((resolve) =>
      NetServiceBrowser.services$('_http._tcp', 'empty.test').subscribe({
        next: (e) => events.push(e),
        complete: resolve,
      }),
    );
    assert.deepEqual(events, []);
  });
});
