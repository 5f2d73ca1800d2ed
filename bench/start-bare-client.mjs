// The library-free floor for bench/cold-start.ts, in plain JavaScript (no loader): the least a
// fresh Node process must do to reach a Bonjour service. One socket on 5353 joins the group (as
// any querier's does), a one-shot SRV query leaves from an ephemeral port (RFC 6762 §5.1), the
// first answer with SRV and A is decoded (dns-packet), then net.connect and one echoed byte; no
// retries, cache or follow-up questions (loopback and avahi only). Prints one JSON line: `open`
// is ms from encoding the query (before the first socket) to the echo, after imports, as
// start-client.mjs's `open` runs from creating the pair, which encodes its queries inside.
//
//   node bench/start-bare-client.mjs NAME
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';

const name = (process.argv[2] ?? '').replace(/\.$/, '');
const lookup = (address, _options, callback) => callback(null, address, 4);

const started = performance.now();
const query = dnsPacket.encode({ type: 'query', id: 4242, questions: [{ type: 'SRV', name }] });
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
  const socket = connect({ host: a.data, port: srv.data.port ?? 0, noDelay: true }, () =>
    socket.write('x'),
  );
  socket.once('data', () => {
    const open = performance.now() - started;
    socket.destroy();
    main.close();
    console.log(JSON.stringify({ open }));
  });
});
