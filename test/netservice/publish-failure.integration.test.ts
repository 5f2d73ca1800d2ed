/**
 * A publication that cannot be sent fails with the reason (RFC 6762 §8.1:
 * unprobed names are not ours). Real sockets in the private namespace:
 * node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { constants } from 'node:os';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import { NetService } from '../../src/netservice/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';

describe('publish that cannot be sent (integration)', () => {
  before(requirePrivateNetwork);
  let holder: Socket | undefined;
  afterEach(async () => {
    resetMdnsEngine();
    await new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));
    holder = undefined;
  });

  it('fails with EADDRINUSE when another program holds port 5353 exclusively', async () => {
    // Another mDNS stack that binds without SO_REUSEADDR: our engine can still query
    // (one-shot sockets) but cannot send from port 5353, so no probe leaves.
    holder = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => holder?.bind(5353, '0.0.0.0', resolve));
    resetMdnsEngine({ timings: { probeInitialDelayMax: 20 } });
    const service = new NetService('local.', '_echo._tcp', 'Unsendable');
    await assert.rejects(
      service.publish({ port: 7 }),
      (e: { domain?: number; code?: number; message?: string }) => {
        assert.equal(e.domain, 1, 'POSIX domain');
        assert.equal(e.code, constants.errno.EADDRINUSE);
        assert.match(e.message ?? '', /no probe could be sent/);
        return true;
      },
    );
    await service.stop();
  });
});
