/**
 * A hand-made mDNS peer for the hostile-input integration tests: it sends
 * queries or responses from an address it is told (on-link, or an off-link
 * one its host also holds), over IPv4 or IPv6 by the family of that
 * address, and reports what came back. One run, one JSON line on stdout
 * (`linkAddress`, an IPv4 address of the host on eth0, picks the interface
 * of IPv4 group membership):
 *
 *   node --import tsx test/mdns/raw-peer.ts queries '{"from":"10.99.0.2","linkAddress":"10.77.0.2","targets":"10.77.0.1","question":"_echo._tcp.local"}'
 *   node --import tsx test/mdns/raw-peer.ts respond '{"from":"fd99::2","to":"ff02::fb","instance":"Evil._evil._tcp.local",...}'
 *   node --import tsx test/mdns/raw-peer.ts answer '{"from":"10.99.0.2","linkAddress":"10.77.0.2","instance":"Evil._evil._tcp.local",...}'
 *   node --import tsx test/mdns/raw-peer.ts flood '{"from":"10.77.0.2","records":10000,"perPacket":50,"ms":1000}'
 *
 * It sends mDNS: run it only inside a private network namespace.
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  type DnsRecord,
  decodePacket,
  encodePacket,
  Flag,
  isResponse,
  MDNS_IPV4,
  MDNS_IPV6,
  MDNS_PORT,
  makeMessage,
  RRType,
} from '../../src/mdns/index.js';
import { floodRecord } from './records.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('raw-peer sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const [mode, json = '{}'] = process.argv.slice(2);
const args = JSON.parse(json) as Record<string, unknown>;
const str = (key: string): string => String(args[key] ?? '');
const num = (key: string, fallback: number): number => Number(args[key] ?? fallback);

/** The segment's interface on every host (test/support/private-segment.ts). */
const IFACE = 'eth0';
const isV6 = (address: string): boolean => address.includes(':');
/** The mDNS group of an address's family. */
const groupOf = (address: string): string => (isV6(address) ? MDNS_IPV6 : MDNS_IPV4);

/** A UDP socket bound to `address` (its family), set to multicast from it on eth0 if asked. */
async function bound(address: string, port: number, multicast = false): Promise<Socket> {
  const socket = createSocket({
    type: isV6(address) ? 'udp6' : 'udp4',
    reuseAddr: true,
    ipv6Only: isV6(address),
  });
  socket.on('error', (error) => process.stderr.write(`socket error: ${error.message}\n`));
  await new Promise<void>((resolve) => socket.bind({ address, port, exclusive: false }, resolve));
  if (multicast) {
    socket.setMulticastTTL(255);
    socket.setMulticastInterface(isV6(address) ? `::%${IFACE}` : address);
  }
  return socket;
}

/** An address record's data for `address`. */
const addressData = (address: string): DnsRecord['data'] =>
  isV6(address) ? { type: 'AAAA', address } : { type: 'A', address };

/** A socket that hears everything multicast on the link, and unicast to port 5353, in `from`'s family. */
async function linkWatcher(from: string): Promise<Socket> {
  const socket = await bound(isV6(from) ? '::' : '0.0.0.0', MDNS_PORT);
  socket.addMembership(groupOf(from), isV6(from) ? `::%${IFACE}` : str('linkAddress'));
  return socket;
}

const send = (socket: Socket, bytes: Buffer, address: string, port = MDNS_PORT): Promise<void> =>
  new Promise((resolve) => socket.send(bytes, port, address, () => resolve()));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends legacy, QU and QM queries from `from`; counts the responses that
 * come back to us from any of `targets` (comma-separated addresses of the
 * host under test).
 */
async function queries(): Promise<Record<string, unknown>> {
  const from = str('from');
  const targets = new Set(str('targets').split(','));
  const target = [...targets][0] ?? '';
  const group = groupOf(from);
  const question = str('question');
  const counts: Record<string, number> = { legacy: 0, port5353: 0, multicast: 0 };
  const count = (which: string) => (bytes: Buffer, rinfo: { address: string }) => {
    const { message } = decodePacket(bytes);
    const sender = rinfo.address.split('%')[0] ?? '';
    if (targets.has(sender) && message !== undefined && isResponse(message))
      counts[which] = (counts[which] ?? 0) + 1;
  };
  // Everything multicast on the link, and unicast to port 5353 of any of our addresses.
  const watcher = await linkWatcher(from);
  watcher.on('message', count('multicast'));
  const at5353 = await bound(from, MDNS_PORT, true);
  at5353.on('message', count('port5353'));
  const legacy = await bound(from, 0, true);
  legacy.on('message', count('legacy'));
  const ask = (id: number, unicastResponse: boolean): Buffer =>
    encodePacket(
      makeMessage({
        id,
        questions: [{ name: question, type: RRType.PTR, rrclass: 1, unicastResponse }],
      }),
    );
  // §6.7 legacy queries (from an ephemeral port), multicast and unicast.
  await send(legacy, ask(0x1234, false), group);
  await send(legacy, ask(0x1235, false), target);
  // §5.4 QU and plain QM queries from port 5353, multicast and unicast.
  await send(at5353, ask(0, true), group);
  await send(at5353, ask(0, true), target);
  await send(at5353, ask(0, false), group);
  await sleep(num('waitMs', 1500));
  for (const socket of [watcher, at5353, legacy]) socket.close();
  return counts;
}

/** Sends one service's PTR, SRV, TXT and A from `from`:5353 to `to` (the group or a host). */
async function respond(): Promise<Record<string, unknown>> {
  const from = str('from');
  const instance = str('instance');
  const host = str('host');
  const type = instance.slice(instance.indexOf('._') + 1);
  const answers: DnsRecord[] = [
    {
      name: type,
      rrclass: 1,
      cacheFlush: false,
      ttl: 4500,
      data: { type: 'PTR', target: instance },
    },
    {
      name: instance,
      rrclass: 1,
      cacheFlush: true,
      ttl: 120,
      data: { type: 'SRV', priority: 0, weight: 0, port: num('port', 6666), target: host },
    },
    { name: instance, rrclass: 1, cacheFlush: true, ttl: 4500, data: { type: 'TXT', strings: [] } },
    { name: host, rrclass: 1, cacheFlush: true, ttl: 120, data: addressData(from) },
  ];
  const socket = await bound(from, MDNS_PORT, true);
  const bytes = encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers }));
  // Twice, a little apart: the second is a refresh either way.
  await send(socket, bytes, str('to'));
  await sleep(50);
  await send(socket, bytes, str('to'));
  socket.close();
  return { bytes: bytes.length };
}

/**
 * A burst of `records` long-lived records nobody asked for (PTRs and A
 * records of made-up names, `perPacket` a packet) multicast from `from`
 * over `ms`.
 */
async function flood(): Promise<Record<string, unknown>> {
  const from = str('from');
  const total = num('records', 10_000);
  const perPacket = num('perPacket', 2);
  const ms = num('ms', 1000);
  const socket = await bound(from, MDNS_PORT, true);
  const packets = Math.ceil(total / perPacket);
  const batches = Math.min(50, packets);
  const started = Date.now();
  let sent = 0;
  for (let batch = 0; batch < batches; batch++) {
    const end = Math.round(((batch + 1) * packets) / batches);
    for (; sent < end; sent++) {
      const first = sent * perPacket;
      const answers = Array.from({ length: Math.min(perPacket, total - first) }, (_, k) =>
        floodRecord(first + k),
      );
      socket.send(
        encodePacket(makeMessage({ flags: Flag.QR | Flag.AA, answers })),
        MDNS_PORT,
        groupOf(from),
      );
    }
    const due = started + ((batch + 1) * ms) / batches;
    await sleep(Math.max(0, due - Date.now()));
  }
  // Let the socket's queue drain before closing.
  await sleep(100);
  socket.close();
  return { packets: sent, ms: Date.now() - started };
}

/**
 * Answers one-shot queries (from a port other than 5353) for `instance`, by
 * unicast from `from`:5353 to the asker's port, as a responder answers a
 * legacy query (§6.7): SRV, TXT and A, the ID and question echoed. Prints a ready
 * line first; reports how many it answered after `waitMs`.
 */
async function answer(): Promise<Record<string, unknown>> {
  const from = str('from');
  const instance = str('instance');
  const host = str('host');
  const watcher = await linkWatcher(from);
  const replier = await bound(from, MDNS_PORT, true);
  let answered = 0;
  watcher.on('message', (bytes, rinfo) => {
    const { message } = decodePacket(bytes);
    if (message === undefined || isResponse(message) || rinfo.port === MDNS_PORT) return;
    const question = message.questions.find((q) => q.name.toLowerCase() === instance.toLowerCase());
    if (question === undefined) return;
    const answers: DnsRecord[] = [
      {
        name: instance,
        rrclass: 1,
        cacheFlush: false,
        ttl: 10,
        data: { type: 'SRV', priority: 0, weight: 0, port: num('port', 6666), target: host },
      },
      // RFC 6763 §6: every instance has a TXT record (resolve$ waits for it).
      {
        name: instance,
        rrclass: 1,
        cacheFlush: false,
        ttl: 10,
        data: { type: 'TXT', strings: [] },
      },
      { name: host, rrclass: 1, cacheFlush: false, ttl: 10, data: addressData(from) },
    ];
    const reply = makeMessage({
      id: message.id,
      flags: Flag.QR | Flag.AA,
      questions: [question],
      answers,
    });
    answered += 1;
    replier.send(encodePacket(reply), rinfo.port, rinfo.address);
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await sleep(num('waitMs', 3000));
  watcher.close();
  replier.close();
  return { answered };
}

const modes: Record<string, () => Promise<Record<string, unknown>>> = {
  queries,
  respond,
  flood,
  answer,
};
const run = modes[mode ?? ''];
if (run === undefined) {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
run().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
