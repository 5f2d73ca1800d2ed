/**
 * RFC 6762 §17 end to end: 300 instances of one type published by our
 * responder and browsed by our own browser, over real multicast in the
 * private namespace, with every datagram at most 9000 bytes (headers
 * included). Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { filter, firstValueFrom, of, scan, timeout } from 'rxjs';
import { MdnsEngine, resetMdnsEngine } from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { UdpTransport } from '../../src/mdns/transport.js';
import { NetServiceBrowser } from '../../src/netservice/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';

const COUNT = 300;
/** IPv4 and UDP headers: what a datagram on 224.0.0.251 adds to its DNS message. */
const IPV4_UDP = 28;

/** The real transport, measuring every datagram it sends. */
class MeasuredTransport extends UdpTransport {
  readonly sizes: number[] = [];
  override sendMulticast(bytes: Buffer, interfaceName?: string): void {
    this.sizes.push(bytes.length);
    super.sendMulticast(bytes, interfaceName);
  }
  override sendUnicast(bytes: Buffer, address: string, port: number): void {
    this.sizes.push(bytes.length);
    super.sendUnicast(bytes, address, port);
  }
  override sendOneShot(bytes: Buffer): void {
    this.sizes.push(bytes.length);
    super.sendOneShot(bytes);
  }
}

/** Every datagram seen on the IPv4 group of the namespace's loopback, by size. */
async function listenOnGroup(): Promise<{ socket: Socket; sizes: number[] }> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const sizes: number[] = [];
  socket.on('message', (bytes) => sizes.push(bytes.length));
  await new Promise<void>((resolve) => socket.bind(5353, '0.0.0.0', resolve));
  socket.addMembership('224.0.0.251', '127.0.0.1');
  return { socket, sizes };
}

describe(`${COUNT} instances of one type (integration, RFC 6762 §17)`, () => {
  before(requirePrivateNetwork);
  let peer: MdnsEngine | undefined;
  let group: Socket | undefined;
  afterEach(async () => {
    peer?.close();
    peer = undefined;
    resetMdnsEngine();
    await new Promise<void>((resolve) => (group ? group.close(() => resolve()) : resolve()));
    group = undefined;
  });

  it(`our browser finds all ${COUNT} instances our responder publishes; no datagram over 9000 bytes`, async function () {
    this.timeout(60_000);
    resetMdnsEngine({ timings: { probeInitialDelayMax: 20 } });
    const listened = await listenOnGroup();
    group = listened.socket;
    const transport = new MeasuredTransport(undefined);
    peer = new MdnsEngine(
      { hostName: 'many.local', timings: { probeInitialDelayMax: 20 } },
      transport,
    );
    const publications = Array.from({ length: COUNT }, (_, i) =>
      publishWithEngine(peer as MdnsEngine, {
        name: `Living Room Speaker ${i}`,
        type: '_many._tcp.',
        domain: 'local.',
        port: 2000 + i,
        txt: [Buffer.from('path=/api/v1'), Buffer.from('model=Speaker Pro 3')],
        noRename: true,
      }),
    );
    await Promise.all(publications.map((p) => p.registered));
    let removed = 0;
    let most = 0;
    const found = await firstValueFrom(
      NetServiceBrowser.browse$('_many._tcp').pipe(
        scan((names, event) => {
          if (event.kind === 'found') names.add(event.service.name);
          else {
            removed += 1;
            names.delete(event.service.name);
          }
          most = Math.max(most, names.size);
          return names;
        }, new Set<string>()),
        filter((names) => names.size === COUNT),
        timeout({ first: 20_000, with: () => of(undefined) }),
      ),
      { defaultValue: undefined },
    );
    assert.equal(
      found?.size,
      COUNT,
      `${most} of ${COUNT} found at most (${removed} removed events)`,
    );
    assert.equal(removed, 0, 'a browse of a live type must not report removals');
    const sent = transport.sizes;
    const heard = listened.sizes;
    assert.ok(heard.length > 0, 'nothing heard on the group');
    const largest = Math.max(...sent, ...heard);
    assert.ok(largest + IPV4_UDP <= 9000, `a ${largest}-byte DNS message went out`);
    await Promise.all(publications.map((p) => p.stop()));
  });
});
