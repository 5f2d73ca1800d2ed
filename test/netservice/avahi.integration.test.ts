/** Interop with avahi-daemon, a real and independent responder. Runs inside a private network namespace. */
import assert from 'node:assert/strict';
import { filter, firstValueFrom } from 'rxjs';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';
import { type Avahi, avahiAvailable, startAvahi } from '../support/avahi.js';

describe('interop with avahi-daemon (integration)', function () {
  this.timeout(30000);
  let avahi: Avahi | undefined;
  before(() => {
    if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
      throw new Error(
        'mDNS integration tests send multicast: run them with `node scripts/in-private-network.mjs npx mocha <files>`',
      );
    }
    if (!avahiAvailable())
      throw new Error('avahi-daemon is not installed: apt-get install avahi-daemon');
  });
  beforeEach(() => resetMdnsEngine({ timings: { probeInitialDelayMax: 20 } }));
  afterEach(async () => {
    await avahi?.stop();
    avahi = undefined;
    resetMdnsEngine();
  });

  it('resolves and browses a service avahi publishes', async () => {
    avahi = await startAvahi({
      services: [{ name: 'Avahi Echo', type: '_echo._tcp', port: 7100, txt: ['from=avahi'] }],
    });
    await avahi.waitForLog(/Avahi Echo.*successfully established/);
    const info = await firstValueFrom(
      NetService.parse('Avahi Echo._echo._tcp.local.').resolve$({ timeout: 3000 }),
    );
    assert.equal(info.port, 7100);
    assert.equal(info.hostName, 'avahihost.local');
    assert.deepEqual(info.txt, { from: Buffer.from('avahi') });
    assert.ok(info.addresses.some((a) => a.address === '127.0.0.1'));
    const found = await firstValueFrom(
      NetServiceBrowser.browse$('_echo._tcp').pipe(
        filter((e) => e.kind === 'found' && e.service.name === 'Avahi Echo'),
      ),
    );
    assert.equal(found.service.type, '_echo._tcp.');
  });

  it('avahi sees our service: it defends its name against us, and renames its own when we hold one', async () => {
    avahi = await startAvahi({
      services: [{ name: 'Shared Name', type: '_echo._tcp', port: 7100 }],
    });
    await avahi.waitForLog(/Shared Name.*successfully established/);
    // avahi answers our probe, so we rename (avahi heard our query).
    const ours = new NetService('local.', '_echo._tcp', 'Shared Name');
    assert.equal(await ours.publish({ port: 7200 }), 'Shared Name (2)');
    await avahi.stop();
    // We hold "Shared Name (2)"; an avahi that wants it must rename (avahi heard our answer).
    avahi = await startAvahi({
      services: [{ name: 'Shared Name (2)', type: '_echo._tcp', port: 7101 }],
    });
    await avahi.waitForLog(/Service name conflict for "Shared Name \(2\)"/, 8000);
    await ours.stop();
  });
});
