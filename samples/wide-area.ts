/**
 * Bonjour beyond the link: publish, browse, resolve and connect by name in a
 * DNS domain served by an ordinary DNS server (RFC 6763 over unicast DNS,
 * with RFC 2136 dynamic update signed with TSIG).
 *
 *   node --import tsx samples/wide-area.ts [DOMAIN]
 *
 * With CFSTREAM_DNS_SERVERS and CFSTREAM_TSIG set (docs/guide/wide-area.md
 * shows how to set up BIND for a real domain), it works in DOMAIN. Without
 * them, it starts a BIND 9 of its own on 127.0.0.1 for "example.test."
 * (samples/support/own-bind.ts). The same API as on the link: only the
 * domain differs.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import {
  configureUnicastDNS,
  createPairWithSocketToNetService,
  NetService,
  NetServiceBrowser,
} from '../src/index.js';
import { startOwnBind } from './support/own-bind.js';

const own = process.env.CFSTREAM_DNS_SERVERS ? undefined : await startOwnBind();
if (own) {
  configureUnicastDNS({ servers: [own.server], keys: { [own.zone]: own.key } });
  console.log(
    `no CFSTREAM_DNS_SERVERS: started BIND 9 of our own on ${own.server} for ${own.zone}`,
  );
}
const domain = process.argv[2] ?? own?.zone ?? 'example.test.';

// An echo server, published in the domain under a name with a space and an accent.
const echo = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
echo.listen(0, '127.0.0.1');
await once(echo, 'listening');
const service = new NetService(
  domain,
  '_echo._tcp',
  'Wide Café',
  (echo.address() as { port: number }).port,
);
const name = await service.publish({ txt: { path: '/' } });
console.log(`published "${name}" in ${domain}`);

// Anyone who can ask that DNS server now finds it by browsing...
const found = await firstValueFrom(
  NetServiceBrowser.browse$('_echo._tcp', domain).pipe(
    filter((e) => e.kind === 'found' && e.service.name === name),
  ),
);
console.log(`found ${found.service}`);

// ...and connects to it by name.
const duplex = createPairWithSocketToNetService(found.service).toDuplex();
duplex.end('hello across the wide area\n');
let reply = '';
for await (const chunk of duplex) reply += chunk;
console.log(`echoed: ${reply.trim()}`);

await service.stop(); // deletes exactly what publish added
console.log('withdrawn');
echo.close();
await own?.stop();
