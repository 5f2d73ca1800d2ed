/**
 * Connect through a SOCKS proxy.
 *
 *   node --import tsx samples/through-socks.ts [PROXY_HOST:PORT]
 *
 * The proxy comes from the argument or SOCKS_PROXY (host:port, SOCKS5 with no
 * authentication; set SOCKS_USER and SOCKS_PASSWORD for RFC 1929). Without
 * one, the sample starts a tiny SOCKS5 proxy of its own
 * (samples/support/tiny-socks5-server.ts). The destination is an echo server
 * the sample starts on 127.0.0.1, so a proxy you name must run on this host.
 *
 * The proxy dictionary uses CF's keys; "SOCKSProxy"/"SOCKSPort" are the same
 * strings the system proxy settings use, so such a dictionary works as is.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  CFSocketStreamSOCKSGetError,
  CFSocketStreamSOCKSGetErrorSubdomain,
  createPairWithSocketToHost,
  ErrorDomain,
  kCFStreamPropertySOCKSPassword,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySOCKSProxyHost,
  kCFStreamPropertySOCKSProxyPort,
  kCFStreamPropertySOCKSUser,
  kCFStreamPropertySOCKSVersion,
  kCFStreamSocketSOCKSVersion5,
  StreamError,
} from '../src/index.js';
import { startTinySocks5Server } from './support/tiny-socks5-server.js';

// The destination: an echo server on loopback.
const echo = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
echo.listen(0, '127.0.0.1');
await once(echo, 'listening');
const echoPort = (echo.address() as { port: number }).port;

// The proxy: given, or our own tiny one.
const given = process.argv[2] ?? process.env.SOCKS_PROXY;
const tiny = given === undefined ? await startTinySocks5Server() : undefined;
const [proxyHost, proxyPort] =
  given === undefined ? ['127.0.0.1', tiny?.port] : splitHostPort(given);
console.log(`proxy: ${proxyHost}:${proxyPort}${tiny ? " (the sample's own)" : ''}`);

const pair = createPairWithSocketToHost('127.0.0.1', echoPort);
pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
  [kCFStreamPropertySOCKSProxyHost]: proxyHost,
  [kCFStreamPropertySOCKSProxyPort]: proxyPort,
  [kCFStreamPropertySOCKSVersion]: kCFStreamSocketSOCKSVersion5,
  ...(process.env.SOCKS_USER ? { [kCFStreamPropertySOCKSUser]: process.env.SOCKS_USER } : {}),
  ...(process.env.SOCKS_PASSWORD
    ? { [kCFStreamPropertySOCKSPassword]: process.env.SOCKS_PASSWORD }
    : {}),
});

const duplex = pair.toDuplex();
duplex.end('hello through the proxy\n');
try {
  let received = '';
  for await (const chunk of duplex) received += String(chunk);
  process.stdout.write(`echoed: ${received}`);
  if (tiny) console.log(`the proxy served ${tiny.connections()} connection(s)`);
} catch (error) {
  // SOCKS errors carry the proxy's answer: subdomain (which reply) and code (its value).
  if (error instanceof StreamError && error.domain === ErrorDomain.SOCKS) {
    const subdomain = CFSocketStreamSOCKSGetErrorSubdomain(error);
    console.error(
      `SOCKS error: subdomain ${subdomain}, code ${CFSocketStreamSOCKSGetError(error)}`,
    );
  } else {
    console.error(`error: ${(error as Error).message}`);
  }
  process.exitCode = 1;
} finally {
  pair.close();
  echo.close();
  tiny?.server.close();
}

function splitHostPort(text: string): [string, number] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match) throw new Error(`proxy must be HOST:PORT, got ${JSON.stringify(text)}`);
  return [match[1] as string, Number(match[2])];
}
