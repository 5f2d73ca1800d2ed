/**
 * A hand-made mDNS responder on 127.0.0.1 for one service instance, whose
 * port can change without any announcement -- what a device that restarts a
 * service on a new port and forgets to announce it looks like. It answers
 * queries only: multicast ones by multicast, one-shot ones (RFC 6762 §5.1)
 * by unicast with the query's ID. It can also leave TXT out of its first
 * answers, as a busy avahi does when it multicast TXT less than a second ago. Run it only inside a private network
 * namespace.
 */
import { createSocket } from 'node:dgram';
import {
  type DnsRecord,
  decodePacket,
  encodePacket,
  Flag,
  isResponse,
  MDNS_IPV4,
  MDNS_PORT,
  makeMessage,
  nameKey,
  RRType,
} from '../../src/mdns/index.js';

/** A running silent responder. */
export interface SilentResponder {
  /** The port its SRV gives; changing it announces nothing. */
  port: number;
  /** False: it stays silent, as if gone. */
  answering: boolean;
  /** How many queries asking for TXT still get an answer without it (a TXT that trails). */
  withholdTxt: number;
  close(): Promise<void>;
}

/** Starts answering for `instance` (presentation form, no final dot) on host `host`. */
export async function startSilentResponder(
  instance: string,
  host: string,
  port: number,
): Promise<SilentResponder> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) =>
    socket.bind({ address: '0.0.0.0', port: MDNS_PORT, exclusive: false }, resolve),
  );
  socket.addMembership(MDNS_IPV4, '127.0.0.1');
  socket.setMulticastInterface('127.0.0.1');
  socket.setMulticastLoopback(true);
  const state: SilentResponder = {
    port,
    answering: true,
    withholdTxt: 0,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  const records = (): DnsRecord[] => [
    {
      name: instance,
      rrclass: 1,
      cacheFlush: true,
      ttl: 120,
      data: { type: 'SRV', priority: 0, weight: 0, port: state.port, target: host },
    },
    {
      name: instance,
      rrclass: 1,
      cacheFlush: true,
      ttl: 4500,
      data: { type: 'TXT', strings: [Buffer.from('k=v')] },
    },
    {
      name: host,
      rrclass: 1,
      cacheFlush: true,
      ttl: 120,
      data: { type: 'A', address: '127.0.0.1' },
    },
  ];
  socket.on('message', (bytes, rinfo) => {
    const { message } = decodePacket(bytes);
    if (!state.answering || message === undefined || isResponse(message)) return;
    const asked = new Set(message.questions.map((q) => nameKey(q.name)));
    if (!asked.has(nameKey(instance)) && !asked.has(nameKey(host))) return;
    const oneShot = rinfo.port !== MDNS_PORT;
    let answers = records();
    if (state.withholdTxt > 0 && message.questions.some((q) => q.type === RRType.TXT)) {
      state.withholdTxt -= 1;
      answers = answers.filter((r) => r.data.type !== 'TXT');
    }
    const reply = makeMessage({
      id: oneShot ? message.id : 0,
      flags: Flag.QR | Flag.AA,
      questions: oneShot ? message.questions : [],
      answers: answers.map((r) => (oneShot ? { ...r, cacheFlush: false, ttl: 10 } : r)),
    });
    const out = encodePacket(reply);
    if (oneShot) socket.send(out, rinfo.port, rinfo.address);
    else socket.send(out, MDNS_PORT, MDNS_IPV4);
  });
  return state;
}
