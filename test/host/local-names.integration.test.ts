/**
 * `.local` host names through the package root: Host does not import mDNS,
 * the root's wiring registers it (src/mdns-wiring.ts). A second engine in
 * this process answers for "peer-host.local" over real multicast. Run inside
 * a private network namespace: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { firstValueFrom } from 'rxjs';
import { createPairWithSocketToHost, Host, resetMdnsEngine } from '../../src/index.js';
import { MdnsEngine } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startEchoServer } from '../support/tcp-peers.js';

const FAST = { timings: { probeInitialDelayMax: 20 } };

describe('Host: .local names through the package root (integration)', () => {
  before(requirePrivateNetwork);
  let peer: MdnsEngine;
  beforeEach(async () => {
    resetMdnsEngine(FAST);
    peer = new MdnsEngine({ ...FAST, hostName: 'peer-host.local' });
    // A publication brings up the peer's responder, which answers for its host name.
    await publishWithEngine(peer, {
      name: 'Peer Host',
      type: '_cfhost._tcp.',
      domain: 'local.',
      port: 9,
      txt: [],
      noRename: false,
    }).registered;
  });
  afterEach(() => {
    peer.close();
    resetMdnsEngine();
  });

  it('resolves a .local name by multicast DNS', async () => {
    const addresses = await firstValueFrom(Host.withName('peer-host.local').resolve$());
    assert.ok(
      addresses.some((a) => a.address === '127.0.0.1' && a.family === 4),
      JSON.stringify(addresses),
    );
  });

  it('opens a pair to a .local name', async () => {
    const server = await startEchoServer();
    const pair = createPairWithSocketToHost('peer-host.local', server.port);
    try {
      const stream = pair.toDuplex();
      stream.end('ping');
      let echoed = '';
      for await (const chunk of stream) echoed += String(chunk);
      assert.equal(echoed, 'ping');
    } finally {
      pair.close();
      await server.close();
    }
  });
});
