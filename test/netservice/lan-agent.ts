/**
 * A Bonjour peer in its own process, driven by line-delimited JSON on stdin:
 * integration tests and the benchmark start one per host of a private segment
 * (or beside the test on one host) and ask it to publish an echo service,
 * resolve, browse, or connect by name. Each request `{ id, op, ... }` gets one
 * reply `{ id, ok, ... }` or `{ id, ok: false, error, code }` on stdout.
 *
 *   node --import tsx test/netservice/lan-agent.ts [hostName.local]
 *
 * It sends mDNS: run it only inside a private network namespace.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { resetMdnsEngine, resolveLocalHostName } from '../../src/mdns/index.js';
import { NetService, NetServiceBrowser } from '../../src/netservice/index.js';
import { createPairWithSocketToNetService } from '../../src/stream/stream-pair.js';
import { echoThroughCF } from '../support/cf-echo.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('lan-agent sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

const hostName = process.argv[2];
resetMdnsEngine(hostName ? { hostName, timings: { probeInitialDelayMax: 20 } } : {});

interface Request {
  readonly id: number;
  readonly op: string;
  readonly name?: string;
  readonly type?: string;
  readonly text?: string;
  readonly timeout?: number;
}

interface Published {
  readonly service: NetService;
  readonly server: Server;
  readonly peers: string[];
  readonly sockets: Set<Socket>;
}

const published = new Map<string, Published>();

async function publish(name: string, type: string): Promise<Record<string, unknown>> {
  const peers: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    peers.push(socket.remoteAddress ?? '?');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  // '::' takes IPv4 too (dual stack), so the race decides which family connects.
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const { port } = server.address() as { port: number };
  const service = new NetService('local.', type, name);
  const registered = await service.publish({ port, txt: { agent: '1' } });
  published.set(registered, { service, server, peers, sockets });
  return { name: registered, port };
}

async function unpublish(name: string): Promise<Record<string, unknown>> {
  const entry = published.get(name);
  if (!entry) throw new Error(`not published: ${name}`);
  published.delete(name);
  await entry.service.stop();
  for (const socket of entry.sockets) socket.destroy();
  await new Promise((resolve) => entry.server.close(resolve));
  return {};
}

async function handle(request: Request): Promise<Record<string, unknown>> {
  const name = request.name ?? '';
  const type = request.type ?? '_echo._tcp';
  const wait = request.timeout ?? 5000;
  switch (request.op) {
    case 'publish':
      return publish(name, type);
    case 'unpublish':
      return unpublish(name);
    case 'peers':
      return { peers: published.get(name)?.peers ?? [] };
    case 'resolve': {
      const info = await firstValueFrom(NetService.parse(name).resolve$({ timeout: wait }));
      return { hostName: info.hostName, port: info.port, addresses: info.addresses };
    }
    case 'host':
      return {
        addresses: await resolveLocalHostName(name, {
          signal: AbortSignal.timeout(wait + 1000),
          timeoutMs: wait,
        }),
      };
    case 'browse': {
      const found = await firstValueFrom(
        NetServiceBrowser.browse$(type).pipe(
          filter((e) => e.kind === 'found' && e.service.name === name),
          take(1),
          timeout(wait),
        ),
      );
      return { found: found.service.toString() };
    }
    case 'connect': {
      const started = performance.now();
      const pair = createPairWithSocketToNetService(NetService.parse(name));
      const data = Buffer.from(request.text ?? 'ping');
      const result = await echoThroughCF(pair, data);
      pair.close();
      return { bytes: result.bytes, ms: performance.now() - started };
    }
    case 'exit':
      setImmediate(() => void shutdown());
      return {};
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

async function shutdown(): Promise<void> {
  for (const name of [...published.keys()]) await unpublish(name).catch(() => {});
  resetMdnsEngine();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    return;
  }
  handle(request).then(
    (result) =>
      process.stdout.write(`${JSON.stringify({ id: request.id, ok: true, ...result })}\n`),
    (error: { message?: string; code?: unknown; domain?: unknown }) =>
      process.stdout.write(
        `${JSON.stringify({ id: request.id, ok: false, error: error.message, code: error.code, domain: error.domain })}\n`,
      ),
  );
});
lines.on('close', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.stdout.write(`${JSON.stringify({ id: 0, ok: true, ready: true })}\n`);
