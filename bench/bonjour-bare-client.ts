/**
 * The floor for bench/bonjour-open.ts: the least a fresh Node process must do
 * to open a connection to a Bonjour service, with no library. One socket on
 * port 5353 joins the group (as any querier's does), a one-shot query for the
 * SRV record leaves from an ephemeral port, the first answer with SRV and A
 * is decoded (dns-packet), then net.connect and one echoed byte. No retries,
 * no cache, no follow-up questions: loopback and avahi only. Prints one JSON
 * line; the query is encoded before the timing starts.
 *
 *   node --import tsx bench/bonjour-bare-client.ts NAME
 */
import { createSocket, type SocketOptions } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { rawFirstEcho } from './first-echo.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write(
    'bonjour-bare-client sends mDNS: run it inside a private network namespace\n',
  );
  process.exit(2);
}

const name = (process.argv[2] ?? '').replace(/\.$/, '');
const query = dnsPacket.encode({ type: 'query', id: 4242, questions: [{ type: 'SRV', name }] });
const lookup: NonNullable<SocketOptions['lookup']> = (address, _options, callback) =>
  callback(null, address, 4);

const started = performance.now();
const main = createSocket({ type: 'udp4', reuseAddr: true, lookup });
main.on('message', () => {});
main.bind({ port: 5353, address: '0.0.0.0' }, () => {
  main.addMembership('224.0.0.251', '127.0.0.1');
});
const shot = createSocket({ type: 'udp4', lookup });
shot.bind({ port: 0, address: '0.0.0.0' }, () => {
  shot.setMulticastInterface('127.0.0.1');
  shot.send(query, 5353, '224.0.0.251');
});
shot.on('message', (bytes) => {
  const reply = dnsPacket.decode(bytes);
  const records = [...(reply.answers ?? []), ...(reply.additionals ?? [])];
  const srv = records.find((r) => r.type === 'SRV');
  const a = records.find((r) => r.type === 'A');
  if (srv?.type !== 'SRV' || a?.type !== 'A') return;
  shot.close();
  rawFirstEcho(a.data, srv.data.port ?? 0).then(() => {
    const ms = performance.now() - started;
    main.close();
    process.stdout.write(`${JSON.stringify({ mode: 'bare', cold: ms })}\n`);
  });
});
