/**
 * RFC 6762 §17 on the real sockets (loopback of the private namespace): a
 * response larger than 9000 bytes -- 300 instances of one type in one
 * datagram, as responders that do not split send them -- is read, and
 * NetServiceBrowser.browse$ finds every instance. Our own responder splits
 * what it sends; receiving is liberal.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { filter, firstValueFrom, scan, timeout } from 'rxjs';
import {
  type DnsRecord,
  encodePacket,
  Flag,
  getMdnsEngine,
  MDNS_IPV4,
  MDNS_PORT,
  makeMessage,
  resetMdnsEngine,
} from '../../src/mdns/index.js';
import { NetServiceBrowser } from '../../src/netservice/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';

const TYPE = '_big._tcp.local';
const COUNT = 300;

describe('mdns datagrams over 9000 bytes (integration, RFC 6762 §17)', function () {
  this.timeout(20_000);
  let sender: Socket | undefined;
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(() => {
    sender?.close();
    sender = undefined;
    resetMdnsEngine();
  });

  it('browse$ finds 300 instances sent in one 15 KB response', async () => {
    await getMdnsEngine().ready();
    const found = firstValueFrom(
      NetServiceBrowser.browse$('_big._tcp.').pipe(
        filter((e) => e.kind === 'found'),
        scan((names, e) => names.add(e.service.name), new Set<string>()),
        filter((names) => names.size === COUNT),
        timeout(10_000),
      ),
    );
    const answers: DnsRecord[] = Array.from({ length: COUNT }, (_, i) => ({
      name: TYPE,
      rrclass: 1,
      cacheFlush: false,
      ttl: 4500,
      data: { type: 'PTR', target: `A rather long instance name number ${i}.${TYPE}` },
    }));
    const bytes = encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers }));
    assert.ok(bytes.length > 15_000, `${bytes.length} bytes`);
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    sender = socket;
    await new Promise<void>((resolve) =>
      socket.bind({ address: '127.0.0.1', port: MDNS_PORT, exclusive: false }, resolve),
    );
    socket.setMulticastInterface('127.0.0.1');
    await new Promise((resolve) => socket.send(bytes, MDNS_PORT, MDNS_IPV4, resolve));
    const names = await found;
    assert.equal(names.size, COUNT);
  });
});
