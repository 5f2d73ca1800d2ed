/**
 * Publishing in a unicast DNS zone served by a real BIND 9 with RFC 2136
 * UPDATE signed with TSIG: dig confirms what was registered and that stop()
 * removed it; a taken name becomes "Name (2)" (or Collision under noRename);
 * unsigned and wrongly signed updates are refused with their errors named
 * (REFUSED, BADSIG, BADKEY, BADTIME); the server's signed reply is verified
 * (a reply changed by one byte is not believed); no message holds the secret.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ExtraType, Opcode } from '../../src/dns/wire-extra.js';
import {
  configureUnicastDNS,
  DnsRcodeError,
  NetService,
  NetServicesError,
  type StreamError,
} from '../../src/index.js';
import { checkKey, resetUnicastDNS } from '../../src/unicast/config.js';
import { exchangeWith } from '../../src/unicast/exchange.js';
import { newMessageId } from '../../src/unicast/exchange-core.js';
import { signRequest, verifyReply } from '../../src/unicast/tsig.js';
import { buildAdd } from '../../src/unicast/update-message.js';
import { type BindServer, bindUnavailable, startBind } from '../support/bind.js';
import { requirePrivateNetwork } from '../support/private-network.js';

const CAFE = 'Café Bar Ω';
const CAFE_DIG = 'Caf\\195\\169\\032Bar\\032\\206\\169._http._tcp.example.test.';

describe('unicast DNS-SD publish with UPDATE and TSIG against BIND 9 (integration)', function () {
  this.timeout(30000);
  let bind: BindServer;

  beforeEach(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    bind = await startBind({
      records: ['Taken._http._tcp IN SRV 0 0 80 ns', '_http._tcp IN PTR Taken._http._tcp'],
    });
  });
  afterEach(async () => {
    resetUnicastDNS();
    await bind?.stop();
  });

  const configure = (key: Partial<BindServer['key']> = {}, wallClock?: () => number): void =>
    configureUnicastDNS({
      servers: [bind.server],
      keys: { 'example.test.': { ...bind.key, ...key } },
      timings: { queryTimeoutMs: 1000 },
      ...(wallClock ? { wallClock } : {}),
    });

  it('registers PTR, SRV, TXT and the host address; dig sees them; stop() removes exactly them', async () => {
    configure();
    const service = new NetService('example.test.', '_http._tcp', CAFE, 8080);
    assert.equal(await service.publish({ txt: { path: '/menu', note: 'crème' } }), CAFE);
    assert.deepEqual(bind.dig('_http._tcp.example.test', 'PTR').sort(), [
      CAFE_DIG,
      'Taken._http._tcp.example.test.',
    ]);
    const [srv] = bind.dig(CAFE_DIG, 'SRV');
    assert.match(srv ?? '', /^0 0 8080 (\S+)\.example\.test\.$/);
    const host = (srv ?? '').split(' ')[3] as string;
    assert.deepEqual(bind.dig(host, 'A'), ['127.0.0.1']);
    assert.deepEqual(bind.dig(CAFE_DIG, 'TXT'), ['"path=/menu" "note=cr\\195\\168me"']);
    // Our own resolve reads back what we registered.
    const resolved = await new NetService('example.test.', '_http._tcp', CAFE).resolveForConnect(
      new AbortController().signal,
    );
    assert.equal(resolved.port, 8080);

    await service.stop();
    assert.deepEqual(bind.dig('_http._tcp.example.test', 'PTR'), [
      'Taken._http._tcp.example.test.',
    ]);
    assert.deepEqual(bind.dig(CAFE_DIG, 'SRV'), []);
    assert.deepEqual(bind.dig(CAFE_DIG, 'TXT'), []);
    assert.deepEqual(bind.dig(host, 'A'), []);
    // What was there before is untouched.
    assert.deepEqual(bind.dig('Taken._http._tcp.example.test', 'SRV'), ['0 0 80 ns.example.test.']);
  });

  it('renames a taken name to "Name (2)", and fails with Collision under noRename', async () => {
    configure();
    const renamed = new NetService('example.test.', '_http._tcp', 'Taken', 81);
    assert.equal(await renamed.publish(), 'Taken (2)');
    assert.equal(bind.dig('Taken\\032(2)._http._tcp.example.test', 'SRV').length, 1);
    const strict = new NetService('example.test.', '_http._tcp', 'Taken', 82);
    const error = (await strict.publish({ noRename: true }).then(
      () => assert.fail('published a taken name'),
      (e: StreamError) => e,
    )) as StreamError;
    assert.equal(error.code, NetServicesError.Collision);
    assert.match(error.message, /YXDOMAIN/);
    await renamed.stop();
    assert.deepEqual(bind.dig('Taken\\032(2)._http._tcp.example.test', 'SRV'), []);
  });

  const refusals: [string, () => void, RegExp, string][] = [
    [
      'unsigned: REFUSED, with what to do',
      () => configureUnicastDNS({ servers: [bind.server], timings: { queryTimeoutMs: 1000 } }),
      /REFUSED.*no TSIG key is configured for zone example\.test/,
      'REFUSED',
    ],
    [
      'a wrong secret: NOTAUTH with TSIG error BADSIG',
      () => configure({ secret: Buffer.alloc(32, 7).toString('base64') }),
      /NOTAUTH.*BADSIG/,
      'BADSIG',
    ],
    [
      'an unknown key name: NOTAUTH with TSIG error BADKEY',
      () => configure({ name: 'nobody-key' }),
      /NOTAUTH.*BADKEY/,
      'BADKEY',
    ],
    [
      'a clock an hour off: NOTAUTH with TSIG error BADTIME',
      () => configure({}, () => Date.now() + 3_600_000),
      /NOTAUTH.*BADTIME/,
      'BADTIME',
    ],
  ];
  for (const [what, setUp, pattern, rcode] of refusals) {
    it(`refuses an update with ${what}; nothing is registered and no message holds the secret`, async () => {
      setUp();
      const error = (await new NetService('example.test.', '_http._tcp', 'Refused', 80)
        .publish()
        .then(
          () => assert.fail('published'),
          (e: StreamError) => e,
        )) as StreamError;
      assert.match(error.message, pattern);
      assert.ok(error.cause instanceof DnsRcodeError);
      assert.equal(error.cause.rcode, rcode);
      assert.ok(
        !error.message.includes(bind.key.secret) && !error.cause.message.includes(bind.key.secret),
      );
      assert.ok(!JSON.stringify(error).includes(bind.key.secret));
      assert.deepEqual(bind.dig('Refused._http._tcp.example.test', 'SRV'), []);
    });
  }

  it('verifies the signed reply: a reply changed by one byte is not believed', async () => {
    const key = checkKey('example.test.', bind.key);
    const id = newMessageId();
    const request = signRequest(buildAdd(id, 'example.test', [], []), key, Date.now() / 1000);
    const server = { host: '127.0.0.1', port: bind.port };
    const answer = await exchangeWith(
      server,
      request.bytes,
      {
        id,
        opcode: Opcode.UPDATE,
        question: { name: 'example.test', type: ExtraType.SOA, rrclass: 1 },
        server,
      },
      { signal: new AbortController().signal, timeoutMs: 2000 },
    );
    const now = Date.now() / 1000;
    assert.deepEqual(verifyReply(answer.bytes, answer.placed, key, request.mac, now), { ok: true });
    const tampered = Buffer.from(answer.bytes);
    tampered[3] = (tampered[3] as number) ^ 0x10; // one header bit (a reserved Z bit)
    assert.equal(verifyReply(tampered, answer.placed, key, request.mac, now).ok, false);
    assert.equal(verifyReply(answer.bytes, answer.placed, key, Buffer.alloc(32), now).ok, false);
    assert.equal(verifyReply(answer.bytes, answer.placed, key, request.mac, now + 3600).ok, false);
  });

  for (const algorithm of ['hmac-sha1', 'hmac-sha384', 'hmac-sha512'] as const) {
    it(`signs with ${algorithm} too`, async () => {
      await bind.stop();
      bind = await startBind({ algorithm });
      configure();
      const service = new NetService('example.test.', '_http._tcp', `Signed ${algorithm}`, 90);
      assert.equal(await service.publish(), `Signed ${algorithm}`);
      assert.equal(bind.dig(`Signed\\032${algorithm}._http._tcp.example.test`, 'SRV').length, 1);
      await service.stop();
      assert.deepEqual(bind.dig(`Signed\\032${algorithm}._http._tcp.example.test`, 'SRV'), []);
    });
  }

  it('sends the update where _dns-update._udp.<zone> SRV points (RFC 6763 §11)', async () => {
    // A relay on another port forwards to named and counts what it carries: the SRV names it.
    const relay = createSocket('udp4');
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
    const relayPort = relay.address().port;
    let relayed = 0;
    relay.on('message', (bytes, client) => {
      relayed += 1;
      const upstream = createSocket('udp4');
      upstream.on('message', (reply) => {
        relay.send(reply, client.port, client.address);
        upstream.close();
      });
      upstream.send(bytes, bind.port, '127.0.0.1');
    });
    try {
      configure();
      await bind.nsupdate([
        `update add _dns-update._udp.example.test. 60 SRV 0 0 ${relayPort} ns.example.test.`,
      ]);
      const service = new NetService('example.test.', '_http._tcp', 'Via SRV', 85);
      assert.equal(await service.publish(), 'Via SRV');
      assert.equal(relayed, 1);
      await service.stop();
      assert.equal(relayed, 2);
      assert.deepEqual(bind.dig('Via\\032SRV._http._tcp.example.test', 'SRV'), []);
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
