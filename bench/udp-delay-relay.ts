/**
 * A UDP relay in a process of its own that holds each reply for a while: a
 * DNS server "one hop away" for bench/wide-area-layers.ts, where the kernel
 * has no netem (`tc qdisc ... netem delay` is refused). Queries go on to
 * 127.0.0.1:<upstream> at once from a fresh socket; the reply comes back from
 * the relay's own port after `delayMs` (setTimeout: at least that long).
 * Prints its port on the first line of stdout.
 *
 *   node --import tsx bench/udp-delay-relay.ts <upstream port> <delay ms>
 */
import { createSocket } from 'node:dgram';

const [upstream, delayMs] = process.argv.slice(2).map(Number);
if (!(upstream !== undefined && upstream > 0) || delayMs === undefined || !(delayMs >= 0)) {
  console.error('usage: udp-delay-relay.ts <upstream port> <delay ms>');
  process.exit(2);
}

const front = createSocket('udp4');
front.on('message', (query, client) => {
  const up = createSocket('udp4');
  up.on('message', (reply) => {
    up.close();
    setTimeout(() => front.send(reply, client.port, client.address), delayMs);
  });
  up.send(query, upstream, '127.0.0.1');
});
front.bind(0, '127.0.0.1', () => {
  process.stdout.write(`${front.address().port}\n`);
});
process.on('SIGTERM', () => front.close());
