/**
 * What real peers do that the RFCs do not quite say: python-zeroconf writes an
 * instance name with a dot ("My.Printer") as two labels instead of escaping it
 * (RFC 6763 §4.3). A service found by browsing must still resolve and connect.
 * A busy avahi sends TXT up to seconds after SRV and addresses (it multicasts
 * a record at most once a second): resolve$ waits for it (RFC 6763 §6).
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';
import { echoThroughCF, sha256 } from '../support/cf-echo.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { type SilentResponder, startSilentResponder } from '../support/silent-responder.js';
import { startEchoServer } from '../support/tcp-peers.js';
import { startPython, stopPython, zeroconfPublisher } from '../support/zeroconf.js';

describe('real peers, what they really do (integration)', function () {
  this.timeout(20_000);
  let responder: SilentResponder | undefined;
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(async () => {
    await responder?.close();
    responder = undefined;
    resetMdnsEngine();
  });

  it('python-zeroconf "My.Printer" (two labels): browse finds it, resolve$ and a pair connect', async () => {
    const echo = await startEchoServer();
    const child = await startPython(zeroconfPublisher('My.Printer', echo.port));
    try {
      const found = await firstValueFrom(
        NetServiceBrowser.browse$('_echo._tcp').pipe(
          filter((e) => e.kind === 'found'),
          timeout(5000),
        ),
      );
      const service = found.service;
      assert.equal(service.name, 'My.Printer');
      const info = await firstValueFrom(service.resolve$({ timeout: 3000 }));
      assert.equal(info.port, echo.port);
      assert.deepEqual(info.txt, { k: Buffer.from('v') });
      const pair = createPairWithSocketToNetService(service);
      const data = randomBytes(10_000);
      const result = await echoThroughCF(pair, data);
      assert.equal(result.sha256, sha256(data));
      pair.close();
    } finally {
      await stopPython(child);
      await echo.close();
    }
  });

  it('resolve$ waits for a TXT that trails SRV and addresses (asks again), never reporting {}', async () => {
    responder = await startSilentResponder('Trailing._echo._tcp.local', 'mover.local', 7);
    // The first two queries (multicast and one-shot, sent together) get SRV and A only.
    responder.withholdTxt = 2;
    const info = await firstValueFrom(
      NetService.parse('Trailing._echo._tcp.local.').resolve$({ timeout: 3000 }),
    );
    assert.deepEqual(info.txt, { k: Buffer.from('v') });
    assert.equal(responder.withholdTxt, 0);
  });
});
