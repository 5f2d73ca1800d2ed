/**
 * Concurrent identical questions share one exchange (dns-client.ts through
 * shared-query.ts), against an in-process server on 127.0.0.1 that holds its
 * replies until the test lets them go, so "concurrent" does not depend on
 * timing: one query on the wire for fifty callers; a caller that aborts
 * leaves the others their answer; the last one to leave cancels the exchange
 * (its socket closes: the leak check would see it); a forgotten answer is
 * asked for anew, not taken from a question sent before.
 */
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { LazySignal } from '../../src/abort.js';
import { readMessage } from '../../src/dns/message-reader.js';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { Flag, makeMessage, RRType } from '../../src/dns/wire-types.js';
import { NetService } from '../../src/netservice/index.js';
import { configureUnicastDNS, resetUnicastDNS } from '../../src/unicast/config.js';
import { forgetAnswer, lookup, queriesInFlight } from '../../src/unicast/dns-client.js';

const NAME = 'Shared._http._tcp.example.test';

/** A server that answers every query for NAME with port `port`, when released. */
async function holdingServer(): Promise<{
  port: number;
  queries: number;
  srvPort: number;
  release(): void;
  close(): Promise<void>;
}> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const held: [Buffer, RemoteInfo][] = [];
  const server = {
    port: socket.address().port,
    queries: 0,
    srvPort: 80,
    release() {
      for (const [query, rinfo] of held.splice(0)) {
        const read = readMessage(query);
        if (!read.ok) continue;
        const answer = encodePacket(
          makeMessage({
            id: read.message.id,
            flags: Flag.QR | Flag.AA,
            questions: read.message.questions,
            answers: [
              {
                name: NAME,
                rrclass: 1,
                cacheFlush: false,
                ttl: 60,
                data: { type: 'SRV', priority: 0, weight: 0, port: server.srvPort, target: 'h' },
              },
            ],
            // The target's address, as BIND adds it (RFC 6763 §12.2): a resolve needs no more.
            additionals: [
              {
                name: 'h',
                rrclass: 1,
                cacheFlush: false,
                ttl: 60,
                data: { type: 'A', address: '192.0.2.1' },
              },
            ],
          }),
        );
        socket.send(answer, rinfo.port, rinfo.address);
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (query, rinfo) => {
    server.queries += 1;
    held.push([query, rinfo]);
  });
  return server;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

function portOf(result: Awaited<ReturnType<typeof lookup>>): number {
  const data = result.kind === 'records' ? result.records[0]?.data : undefined;
  return data?.type === 'SRV' ? data.port : -1;
}

describe('unicast DNS: concurrent identical questions share one exchange', () => {
  let server: Awaited<ReturnType<typeof holdingServer>>;
  beforeEach(async () => {
    server = await holdingServer();
    // No retransmission within a test: a second query on the wire must come from a second question.
    configureUnicastDNS({
      servers: [`127.0.0.1:${server.port}`],
      timings: { queryTimeoutMs: 15_000 },
    });
  });
  afterEach(async () => {
    resetUnicastDNS();
    await server.close();
  });
  const ask = (signal: AbortSignal | LazySignal = new LazySignal()) =>
    lookup(NAME, RRType.SRV, { signal, deadline: Date.now() + 10_000 });

  it('fifty lookups at once send one query and all take its answer', async () => {
    const all = Promise.all(Array.from({ length: 50 }, () => ask()));
    await until(() => server.queries === 1);
    assert.equal(queriesInFlight(), 1);
    server.release();
    const results = await all;
    assert.deepEqual(new Set(results.map(portOf)), new Set([80]));
    assert.equal(server.queries, 1);
    assert.equal(queriesInFlight(), 0);
  });

  it('a caller that aborts leaves the others their answer; the last to leave cancels the query', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const a = ask(first.signal);
    const b = ask(second.signal);
    await until(() => server.queries === 1);
    first.abort(new Error('first gave up'));
    await assert.rejects(a, /first gave up/);
    server.release();
    assert.equal(portOf(await b), 80);
    // Two callers both leave before the answer: the exchange is cancelled (its socket closes, its deadline is called off).
    forgetAnswer(NAME, RRType.SRV);
    const c = new AbortController();
    const d = new AbortController();
    const pending = [ask(c.signal), ask(d.signal)];
    await until(() => server.queries === 2);
    c.abort(new Error('c gave up'));
    assert.equal(queriesInFlight(), 1, 'd still waits');
    d.abort(new Error('d gave up'));
    await assert.rejects(pending[0] as Promise<unknown>, /c gave up/);
    await assert.rejects(pending[1] as Promise<unknown>, /d gave up/);
    assert.equal(queriesInFlight(), 0);
  });

  it('fifty resolveForConnect of a NetService in a DNS domain send one query; one caller leaving leaves the others', async () => {
    // NetService's one lookup per instance, over the unicast room's shared questions.
    const service = new NetService('example.test.', '_http._tcp', 'Shared');
    const leaving = new AbortController();
    const gone = service.resolveForConnect(leaving.signal);
    const all = Promise.all(
      Array.from({ length: 50 }, () => service.resolveForConnect(new AbortController().signal)),
    );
    await until(() => server.queries === 1);
    leaving.abort(new Error('left early'));
    await assert.rejects(gone, /left early/);
    server.release();
    const results = await all;
    assert.deepEqual(
      new Set(results.map((r) => `${r.hostName}:${r.port} ${r.addresses.map((a) => a.address)}`)),
      new Set(['h:80 192.0.2.1']),
    );
    assert.equal(server.queries, 1);
    assert.equal(queriesInFlight(), 0);
    const aborted = new AbortController();
    aborted.abort(new Error('aborted before'));
    await assert.rejects(service.resolveForConnect(aborted.signal), /aborted before/);
  });

  it('after forgetAnswer a lookup asks anew instead of joining the question sent before', async () => {
    const before = ask();
    await until(() => server.queries === 1);
    // The service moves; a failed connect forgets what was known.
    server.srvPort = 8080;
    forgetAnswer(NAME, RRType.SRV);
    const after = ask();
    await until(() => server.queries === 2);
    server.release();
    // The server here answers both with the new port; what matters is the second query on the wire.
    assert.equal(portOf(await after), 8080);
    assert.equal(portOf(await before), 8080);
    assert.equal(server.queries, 2);
  });

  // lookup takes the common case first (the caller starts the question: its failure is final) and
  // the general one for a caller that joined a question started by another, with another deadline.
  it('a caller that joined a question which timed out asks again while its own deadline allows; the one that started it does not', async () => {
    configureUnicastDNS({
      servers: [`127.0.0.1:${server.port}`],
      timings: { queryTimeoutMs: 100 },
    });
    // Time enough for more than the two tries a question makes (RFC 1035 §4.2.1): its starter
    // takes their end as final, a caller that joined it asks once more.
    const starter = lookup(NAME, RRType.SRV, {
      signal: new LazySignal(),
      deadline: Date.now() + 10_000,
    });
    const joiner = lookup(NAME, RRType.SRV, {
      signal: new LazySignal(),
      deadline: Date.now() + 10_000,
    });
    assert.equal(queriesInFlight(), 1, "the second caller joined the first one's question");
    await assert.rejects(starter, /no answer from DNS server/);
    // The starter's two tries, then the joiner's own question.
    await until(() => server.queries === 3);
    server.release();
    assert.equal(portOf(await joiner), 80);
    assert.equal(server.queries, 3);
  });
});
