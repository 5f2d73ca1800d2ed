/**
 * RFC 6762 §17 for queries, on the real sockets of the private namespace:
 * 300 concurrent resolves go out in datagrams of at most 1500 bytes with
 * headers, and python-zeroconf, a real responder, answers the question that
 * went out last, in a later packet of the split, for both the multicast and
 * the one-shot query.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { setMaxListeners } from 'node:events';
import {
  decodePacket,
  getMdnsEngine,
  isResponse,
  MDNS_IPV4,
  MDNS_PORT,
  resetMdnsEngine,
  resolveServiceWithEngine,
} from '../../src/mdns/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';
import { startPython, stopPython, zeroconfPublisher } from '../support/zeroconf.js';

/** IPv4 and UDP headers: what a datagram on 224.0.0.251 adds to its DNS message. */
const IPV4_UDP = 28;

/** Every query datagram on the IPv4 group of the namespace's loopback, with its questions. */
async function listenForQueries(): Promise<{
  socket: Socket;
  queries: { size: number; names: string[] }[];
}> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const queries: { size: number; names: string[] }[] = [];
  socket.on('message', (bytes) => {
    const { message } = decodePacket(bytes);
    if (message !== undefined && !isResponse(message))
      queries.push({ size: bytes.length, names: message.questions.map((q) => q.name) });
  });
  await new Promise<void>((resolve) => socket.bind(MDNS_PORT, '0.0.0.0', resolve));
  socket.addMembership(MDNS_IPV4, '127.0.0.1');
  return { socket, queries };
}

describe('query datagrams split by size (integration, RFC 6762 §17, §7.2)', function () {
  this.timeout(30_000);
  let child: ChildProcess | undefined;
  let group: Socket | undefined;
  before(requirePrivateNetwork);
  beforeEach(() => resetMdnsEngine());
  afterEach(async () => {
    resetMdnsEngine();
    if (child !== undefined) await stopPython(child);
    child = undefined;
    await new Promise<void>((resolve) => (group ? group.close(() => resolve()) : resolve()));
    group = undefined;
  });

  it('300 concurrent resolves: every query within 1500 bytes; python-zeroconf answers the last', async () => {
    child = await startPython(zeroconfPublisher('Real Service', 4242));
    const listened = await listenForQueries();
    group = listened.socket;
    const engine = getMdnsEngine();
    await engine.ready();
    const controller = new AbortController();
    setMaxListeners(1000, controller.signal);
    const absent = Array.from({ length: 299 }, (_, i) =>
      resolveServiceWithEngine(engine, `Absent service number ${i}._echo._tcp.local`, {
        signal: controller.signal,
        timeoutMs: 10_000,
      }).catch(() => undefined),
    );
    try {
      const real = await resolveServiceWithEngine(engine, 'Real Service._echo._tcp.local', {
        signal: controller.signal,
        timeoutMs: 10_000,
      });
      assert.equal(real.port, 4242);
    } finally {
      controller.abort();
      await Promise.all(absent);
    }
    const ours = listened.queries.filter((q) => q.names.some((n) => n.startsWith('Absent')));
    const largest = Math.max(...ours.map((q) => q.size));
    assert.ok(largest + IPV4_UDP <= 1500, `a ${largest}-byte query`);
    assert.ok(ours.length > 2, `${ours.length} query datagrams`);
    // The real service's question did not share the first packet: it was asked last.
    const first = ours[0]?.names ?? [];
    assert.ok(!first.some((n) => n.startsWith('Real')));
  });
});
