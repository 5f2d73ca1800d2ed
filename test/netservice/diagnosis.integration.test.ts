/**
 * Why was it not found: a typo'd instance name of what avahi-daemon
 * publishes times out with a diagnosis naming the right one first.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { firstValueFrom } from 'rxjs';
import { StreamEvent } from '../../src/constants.js';
import type { LookupDiagnosis } from '../../src/diagnosis.js';
import { NetServicesError } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';
import { type Avahi, avahiAvailable, startAvahi } from '../support/avahi.js';
import { requirePrivateNetwork } from '../support/private-network.js';

describe('lookup diagnosis against avahi (integration)', function () {
  this.timeout(20_000);
  let avahi: Avahi | undefined;
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(async () => {
    await avahi?.stop();
    avahi = undefined;
    resetMdnsEngine();
  });

  it('a typo: the Timeout says which instance of the type was meant', async () => {
    assert.ok(avahiAvailable(), 'avahi-daemon is needed (apt-get install avahi-daemon)');
    avahi = await startAvahi({
      services: [
        { name: 'Office Printer', type: '_ipp._tcp', port: 631 },
        { name: 'Lobby Plotter', type: '_ipp._tcp', port: 632 },
      ],
    });
    await avahi.waitForLog(/Lobby Plotter.*successfully established/);
    await avahi.waitForLog(/Office Printer.*successfully established/);
    const error = await firstValueFrom(
      NetService.parse('Office Prnter._ipp._tcp.local.').resolve$({ timeout: 3000 }),
    ).then(
      () => assert.fail('resolved a name nobody publishes'),
      (e: unknown) => e as StreamError & { diagnosis: LookupDiagnosis },
    );
    assert.equal(error.code, NetServicesError.Timeout);
    assert.deepEqual(error.diagnosis.sameType, ['Office Printer', 'Lobby Plotter']);
    assert.ok(error.diagnosis.packetsHeard > 0);
    assert.ok(error.diagnosis.interfaces.includes('lo'));
    assert.match(error.message, /did you mean "Office Printer"\?/);
    // An open to the typo'd name fails the same way, diagnosis included.
    const pair = createPairWithSocketToNetService(
      NetService.parse('Office Prnter._ipp._tcp.local.'),
    );
    const openError = await new Promise<StreamError | null>((resolve, reject) => {
      pair.readStream.setClient(
        StreamEvent.ErrorOccurred | StreamEvent.OpenCompleted,
        (s, type) => {
          if (type === StreamEvent.ErrorOccurred) resolve(s.copyError());
          else reject(new Error('opened a name nobody publishes'));
        },
      );
      pair.open();
    });
    assert.equal(openError?.code, NetServicesError.Timeout);
    assert.equal(openError?.diagnosis?.sameType[0], 'Office Printer');
    pair.close();
  });
});
