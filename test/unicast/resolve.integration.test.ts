/**
 * Resolving and connecting to services in a unicast DNS zone served by a
 * real BIND 9, inside the private network namespace: names with spaces and
 * UTF-8, a TXT record too big for a 512-byte datagram (TCP, RFC 7766), a pair
 * by name, and the errors: NXDOMAIN, REFUSED (a zone the server does not
 * serve), and a server that is down (a clear timeout, no hang).
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  configureUnicastDNS,
  createPairWithSocketToNetService,
  DnsRcodeError,
  ErrorDomain,
  NetService,
  NetServicesError,
  type StreamError,
} from '../../src/index.js';
import { resetUnicastDNS } from '../../src/unicast/config.js';
import { type BindServer, bindUnavailable, startBind, zoneFileName } from '../support/bind.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startEchoServer } from '../support/tcp-peers.js';

const PRINTER = 'My Printer é \u{1F5A8}';
const bigValue = 'v'.repeat(240);

describe('unicast DNS-SD resolve against BIND 9 (integration)', function () {
  this.timeout(30000);
  let bind: BindServer;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;

  before(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    echo = await startEchoServer();
    const printer = zoneFileName(`${PRINTER.replace(/ /g, '\\032')}._ipp._tcp`);
    bind = await startBind({
      records: [
        'host IN A 127.0.0.1',
        `_ipp._tcp IN PTR ${printer}`,
        `${printer} IN SRV 0 0 631 host`,
        `${printer} IN TXT "txtvers=1" "note=caf\\195\\169"`,
        `Echo\\032Here._echo._tcp IN SRV 0 0 ${echo.port} host`,
        'Echo\\032Here._echo._tcp IN TXT ""',
        `Big._http._tcp IN SRV 0 0 80 host`,
        `Big._http._tcp IN TXT ${['a', 'b', 'c', 'd', 'e', 'f'].map((k) => `"${k}=${bigValue}"`).join(' ')}`,
      ],
    });
  });
  after(async () => {
    await bind?.stop();
    await echo?.close();
  });
  beforeEach(() =>
    configureUnicastDNS({ servers: [bind.server], timings: { queryTimeoutMs: 1000 } }),
  );
  afterEach(() => resetUnicastDNS());

  it('resolves a name with spaces and UTF-8: host, port, addresses, TXT as UTF-8', async () => {
    const service = new NetService('example.test.', '_ipp._tcp', PRINTER);
    const info = await firstValue(service.resolve$());
    assert.equal(info.hostName, 'host.example.test');
    assert.equal(info.port, 631);
    assert.deepEqual(info.addresses, [{ address: '127.0.0.1', family: 4 }]);
    assert.equal(info.txt.txtvers?.toString(), '1');
    assert.equal(info.txt.note?.toString('utf8'), 'café');
  });

  it('reads a TXT record of 1,400 bytes, over the 1232-byte EDNS0 size: truncated over UDP, then TCP', async () => {
    // Six 243-byte strings cannot fit the 1232-byte datagram we advertise: only TCP carries them.
    const info = await firstValue(new NetService('example.test.', '_http._tcp', 'Big').resolve$());
    assert.equal(info.txtStrings.length, 6);
    assert.equal(info.txt.f?.toString(), bigValue);
  });

  it('connects a pair by name and echoes', async () => {
    const pair = createPairWithSocketToNetService(
      new NetService('example.test.', '_echo._tcp', 'Echo Here'),
    );
    const data = randomBytes(100_000);
    const result = await echoThroughCF(pair, data);
    assert.equal(result.sha256, sha256(data));
    pair.close();
  });

  it('names NXDOMAIN for a service that is not in the zone', async () => {
    const error = await firstError(
      new NetService('example.test.', '_ipp._tcp', 'Nobody').resolve$(),
    );
    assert.equal(error.domain, ErrorDomain.NetServices);
    assert.equal(error.code, NetServicesError.NotFound);
    assert.match(error.message, /NXDOMAIN/);
    assert.ok(error.cause instanceof DnsRcodeError);
    assert.equal(error.cause.rcode, 'NXDOMAIN');
  });

  it('names REFUSED for a zone the server does not serve', async () => {
    const error = await firstError(new NetService('elsewhere.test.', '_ipp._tcp', 'X').resolve$());
    assert.equal(error.domain, ErrorDomain.NetServices);
    assert.match(error.message, /REFUSED/);
    assert.equal((error.cause as DnsRcodeError).rcode, 'REFUSED');
  });

  it('a server that is down: a NetServices Timeout naming the server, not a hang', async () => {
    const down = await startBind({});
    const server = down.server;
    await down.stop();
    configureUnicastDNS({ servers: [server], timings: { queryTimeoutMs: 300 } });
    // No clock here (a busy machine would flake it): that the error arrives at all, within
    // mocha's timeout, is the "no hang"; the message says which server and how long.
    const error = await firstError(
      new NetService('example.test.', '_ipp._tcp', PRINTER).resolve$({ timeout: 2000 }),
    );
    assert.equal(error.code, NetServicesError.Timeout);
    assert.match(
      error.message,
      new RegExp(`${server.replace(/\./g, '\\.')} over UDP within 300 ms`),
    );
  });
});

function firstValue<T>(o: import('rxjs').Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = o.subscribe({
      next: (v) => {
        resolve(v);
        queueMicrotask(() => s.unsubscribe());
      },
      error: reject,
    });
  });
}

function firstError(o: import('rxjs').Observable<unknown>): Promise<StreamError> {
  return new Promise((resolve, reject) => {
    o.subscribe({
      next: () => reject(new Error('resolved')),
      error: (e: StreamError) => resolve(e),
    });
  });
}
