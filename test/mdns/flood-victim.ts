/**
 * Our engine in a process of its own, for the cache-flood integration test
 * and its benchmark: it resolves services when asked and measures its own
 * event-loop delay meanwhile. Speaks the line protocol of
 * test/netservice/lan-agent.ts (drive it with lan-agent-client.ts):
 *
 *   { id, op: 'resolve', name, timeout? } -> { port, ms }
 *   { id, op: 'lagStart' } / { id, op: 'lagStop' } -> { p50Ms, p99Ms, maxMs }
 *   { id, op: 'cache' } -> { size, bytes }
 *
 * It sends mDNS: run it only inside a private network namespace.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { getMdnsEngine, resetMdnsEngine, resolveServiceWithEngine } from '../../src/mdns/index.js';

if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
  process.stderr.write('flood-victim sends mDNS: run it inside a private network namespace\n');
  process.exit(2);
}

resetMdnsEngine({ hostName: process.argv[2] ?? 'victim.local' });
let lag: ReturnType<typeof monitorEventLoopDelay> | undefined;
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

async function handle(request: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (request.op) {
    case 'resolve': {
      const started = performance.now();
      const timeout = Number(request.timeout ?? 5000);
      const r = await resolveServiceWithEngine(getMdnsEngine(), String(request.name), {
        signal: AbortSignal.timeout(timeout + 1000),
        timeoutMs: timeout,
      });
      return { port: r.port, ms: performance.now() - started };
    }
    case 'lagStart':
      lag = monitorEventLoopDelay({ resolution: 1 });
      lag.enable();
      return {};
    case 'lagStop': {
      if (lag === undefined) throw new Error('lagStart first');
      lag.disable();
      const result = {
        p50Ms: ms(lag.percentile(50)),
        p99Ms: ms(lag.percentile(99)),
        maxMs: ms(lag.max),
      };
      lag = undefined;
      return result;
    }
    case 'cache': {
      const { cache } = getMdnsEngine();
      return { size: cache.size, bytes: cache.bytes };
    }
    default:
      throw new Error(`unknown op ${String(request.op)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const reply = (body: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ id: request.id, ...body })}\n`);
  };
  handle(request).then(
    (result) => reply({ ok: true, ...result }),
    (error: { message?: string; code?: unknown; domain?: unknown }) =>
      reply({ ok: false, error: error.message, code: error.code, domain: error.domain }),
  );
});
lines.on('close', () => {
  resetMdnsEngine();
  process.exit(0);
});
getMdnsEngine()
  .ready()
  .then(() => process.stdout.write(`${JSON.stringify({ id: 0, ok: true, ready: true })}\n`));
