/**
 * The exchange against hostile and broken servers, in process on 127.0.0.1:
 * each bad reply (truncated, oversized, a mismatched question, a wrong ID,
 * from another port, not a reply at all) is dropped and the wait goes on, so
 * the good reply sent after it is the one taken; nothing crashes. A TC reply
 * moves the question to TCP (RFC 7766 §5).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { encodePacket } from '../../src/dns/packet-codec.js';
import { Opcode } from '../../src/dns/wire-extra.js';
import { Flag, makeMessage, RRType } from '../../src/dns/wire-types.js';
import { exchangeWith } from '../../src/unicast/exchange.js';
import {
  buildQuery,
  type Expectation,
  echoesQuestion,
  judgeReply,
} from '../../src/unicast/exchange-core.js';

const NAME = 'Svc._http._tcp.example.test';

function reply(
  id: number,
  options: { name?: string; type?: number; flags?: number; address?: string } = {},
): Buffer {
  return encodePacket(
    makeMessage({
      id,
      flags: options.flags ?? Flag.QR | Flag.AA,
      questions: [
        {
          name: options.name ?? NAME,
          type: options.type ?? RRType.A,
          rrclass: 1,
          unicastResponse: false,
        },
      ],
      answers: [
        {
          name: options.name ?? NAME,
          rrclass: 1,
          cacheFlush: false,
          ttl: 60,
          data: { type: 'A', address: options.address ?? '192.0.2.1' },
        },
      ],
    }),
  );
}

/** A UDP server that answers each query with what `respond` sends (through `send`). */
async function fakeServer(
  respond: (query: Buffer, send: (bytes: Buffer, from?: Socket) => void) => void,
): Promise<{ port: number; other: Socket; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  const other = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
  socket.on('message', (query, rinfo) => {
    respond(query, (bytes, from = socket) => from.send(bytes, rinfo.port, rinfo.address));
  });
  return {
    port: socket.address().port,
    other,
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await new Promise<void>((resolve) => other.close(() => resolve()));
    },
  };
}

async function ask(port: number, tcp = false): Promise<string> {
  const id = 4242;
  const expected: Expectation = {
    id,
    opcode: Opcode.QUERY,
    question: { name: NAME, type: RRType.A, rrclass: 1 },
    server: { host: '127.0.0.1', port },
  };
  const answer = await exchangeWith(expected.server, buildQuery(id, NAME, RRType.A), expected, {
    signal: new AbortController().signal,
    timeoutMs: 3000,
    tcp,
  });
  const data = answer.message.answers[0]?.data;
  return data?.type === 'A' ? data.address : 'none';
}

describe('unicast DNS exchange: answers checked, bad replies dropped', () => {
  const cases: [string, (query: Buffer, other: Socket) => { bytes: Buffer; from?: Socket }][] = [
    ['a truncated message (half a header)', () => ({ bytes: Buffer.from([0x10, 0x92, 0x81]) })],
    [
      'a cut-off record',
      (q) => ({ bytes: reply(q.readUInt16BE(0), { address: '198.51.100.1' }).subarray(0, -3) }),
    ],
    [
      'an oversized message (a record running past the end, padded to 20,000 bytes)',
      (q) => {
        const good = reply(q.readUInt16BE(0), { address: '198.51.100.1' });
        const big = Buffer.concat([good, Buffer.alloc(20_000, 0xff)]);
        return { bytes: big };
      },
    ],
    [
      'a wrong ID',
      (q) => ({ bytes: reply((q.readUInt16BE(0) + 1) & 0xffff, { address: '198.51.100.1' }) }),
    ],
    [
      'a mismatched question name',
      (q) => ({
        bytes: reply(q.readUInt16BE(0), {
          name: 'Other._http._tcp.example.test',
          address: '198.51.100.1',
        }),
      }),
    ],
    [
      'a mismatched question type',
      (q) => ({ bytes: reply(q.readUInt16BE(0), { type: RRType.AAAA, address: '198.51.100.1' }) }),
    ],
    [
      'a query, not a reply',
      (q) => ({ bytes: reply(q.readUInt16BE(0), { flags: 0, address: '198.51.100.1' }) }),
    ],
    [
      'a reply from another port',
      (q, other) => ({ bytes: reply(q.readUInt16BE(0), { address: '198.51.100.1' }), from: other }),
    ],
  ];
  for (const [what, bad] of cases) {
    it(`drops ${what} and takes the good reply after it`, async () => {
      let server: Awaited<ReturnType<typeof fakeServer>> | undefined;
      server = await fakeServer((query, send) => {
        const { bytes, from } = bad(query, server?.other as Socket);
        send(bytes, from);
        setTimeout(() => send(reply(query.readUInt16BE(0))), 20);
      });
      try {
        assert.equal(await ask(server.port), '192.0.2.1');
      } finally {
        await server.close();
      }
    });
  }

  it('times out with the server named when only garbage arrives', async () => {
    const server = await fakeServer((query, send) =>
      send(reply((query.readUInt16BE(0) + 7) & 0xffff)),
    );
    try {
      const id = 1;
      const target = { host: '127.0.0.1', port: server.port };
      await assert.rejects(
        exchangeWith(
          target,
          buildQuery(id, NAME, RRType.A),
          { id, opcode: 0, question: { name: NAME, type: 1, rrclass: 1 }, server: target },
          {
            signal: new AbortController().signal,
            timeoutMs: 200,
          },
        ),
        new RegExp(
          `no answer from DNS server 127\\.0\\.0\\.1:${server.port} over UDP within 200 ms`,
        ),
      );
    } finally {
      await server.close();
    }
  });

  it('asks again over TCP when the UDP reply is truncated (TC), and drops a bad TCP frame first', async () => {
    let tcpServer: Server | undefined;
    const port = await new Promise<number>((resolve) => {
      tcpServer = createServer((socket) => {
        socket.on('data', (chunk) => {
          const query = chunk.subarray(2);
          const frame = (bytes: Buffer): Buffer =>
            Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
          socket.write(frame(reply(query.readUInt16BE(0) ^ 1)));
          socket.end(frame(reply(query.readUInt16BE(0), { address: '203.0.113.9' })));
        });
      });
      tcpServer.listen(0, '127.0.0.1', () =>
        resolve((tcpServer?.address() as { port: number } | undefined)?.port ?? 0),
      );
    });
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));
    udp.on('message', (query, rinfo) =>
      udp.send(
        reply(query.readUInt16BE(0), { flags: Flag.QR | Flag.TC }),
        rinfo.port,
        rinfo.address,
      ),
    );
    try {
      assert.equal(await ask(port), '203.0.113.9');
    } finally {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcpServer?.close(() => resolve()));
    }
  });

  it('judgeReply: the verdicts of the core', () => {
    const expected: Expectation = {
      id: 7,
      opcode: Opcode.QUERY,
      question: { name: NAME, type: RRType.A, rrclass: 1 },
      server: { host: '127.0.0.1', port: 53 },
    };
    const from = { host: '127.0.0.1', port: 53 };
    assert.equal(judgeReply(expected, reply(7), from).kind, 'answer');
    assert.equal(
      judgeReply(expected, reply(7), { host: '::ffff:127.0.0.1', port: 53 }).kind,
      'answer',
    );
    assert.equal(judgeReply(expected, reply(7), { host: '127.0.0.2', port: 53 }).kind, 'drop');
    assert.equal(judgeReply(expected, reply(8), from).kind, 'drop');
    assert.equal(
      judgeReply(expected, reply(7, { flags: Flag.QR | Flag.TC }), from).kind,
      'truncated',
    );
    // Over TCP (no `from`) the TC bit means nothing more to do: the answer is what it is.
    assert.equal(
      judgeReply(expected, reply(7, { flags: Flag.QR | Flag.TC }), undefined).kind,
      'answer',
    );
    assert.equal(judgeReply(expected, reply(7, { name: NAME.toUpperCase() }), from).kind, 'answer');
    assert.equal(judgeReply(expected, Buffer.alloc(0), from).kind, 'drop');
  });

  it('judgeReply with the query sent compares the question by its bytes, folding ASCII letters only', () => {
    const from = { host: '127.0.0.1', port: 53 };
    // [name asked, type asked, name in the reply, type in the reply, taken?]
    const cases: [string, number, string, number, boolean][] = [
      [NAME, RRType.SRV, NAME, RRType.SRV, true],
      [NAME, RRType.SRV, NAME.toUpperCase(), RRType.SRV, true],
      [
        'MiXeD Case._http._tcp.example.test',
        RRType.TXT,
        'mixed case._HTTP._tcp.EXAMPLE.test',
        RRType.TXT,
        true,
      ],
      // SRV is 0x0021, A 0x0001: one bit apart, as a letter's case is.
      [NAME, RRType.SRV, NAME, RRType.A, false],
      // '[' 0x5B and '{' 0x7B, '@' 0x40 and '`' 0x60 differ by the case bit but are no letters.
      ['a[b._http._tcp.example.test', RRType.SRV, 'a{b._http._tcp.example.test', RRType.SRV, false],
      ['a@b._http._tcp.example.test', RRType.SRV, 'a`b._http._tcp.example.test', RRType.SRV, false],
      // é is C3 A9 and É C3 89: beyond ASCII, case is not folded (RFC 4343 §3).
      [
        'Café._http._tcp.example.test',
        RRType.SRV,
        'CafÉ._http._tcp.example.test',
        RRType.SRV,
        false,
      ],
      [
        'Café._http._tcp.example.test',
        RRType.SRV,
        'CAFé._http._tcp.example.test',
        RRType.SRV,
        true,
      ],
      [NAME, RRType.SRV, `x${NAME}`, RRType.SRV, false],
      [NAME, RRType.SRV, NAME.replace('example', 'exampl'), RRType.SRV, false],
    ];
    for (const [askedName, askedType, replyName, replyType, taken] of cases) {
      const expected: Expectation = {
        id: 7,
        opcode: Opcode.QUERY,
        question: { name: askedName, type: askedType, rrclass: 1 },
        server: from,
      };
      const asked = buildQuery(7, askedName, askedType);
      const bytes = reply(7, { name: replyName, type: replyType });
      const what = `${askedName}/${askedType} answered as ${replyName}/${replyType}`;
      assert.equal(echoesQuestion(asked, bytes), taken, what);
      assert.equal(judgeReply(expected, bytes, from, asked).kind, taken ? 'answer' : 'drop', what);
      assert.equal(judgeReply(expected, bytes, from).kind, taken ? 'answer' : 'drop', what);
    }
    // Two questions, or none: never the one asked.
    const asked = buildQuery(7, NAME, RRType.A);
    const two = Buffer.from(reply(7));
    two.writeUInt16BE(2, 4);
    assert.equal(echoesQuestion(asked, two), false);
    assert.equal(echoesQuestion(asked, reply(7).subarray(0, 20)), false);
  });

  it('judgeReply never throws on random or mangled bytes (5,000 cases)', () => {
    const expected: Expectation = {
      id: 7,
      opcode: Opcode.QUERY,
      question: { name: NAME, type: RRType.A, rrclass: 1 },
      server: { host: '127.0.0.1', port: 53 },
    };
    const good = reply(7);
    const asked = buildQuery(7, NAME, RRType.A);
    let seed = 1;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const bytes =
        i % 2 === 0
          ? Buffer.from(Array.from({ length: random(300) }, () => random(256)))
          : Buffer.from(good.map((b) => (random(10) === 0 ? random(256) : b))).subarray(
              0,
              random(good.length + 1),
            );
      // The ID stays right half the time, so the reader itself meets the damage.
      if (bytes.length >= 2 && i % 4 < 2) bytes.writeUInt16BE(7, 0);
      const from = { host: '127.0.0.1', port: 53 };
      assert.doesNotThrow(() => judgeReply(expected, bytes, from));
      // With the query sent, the bytes compared first: never a different verdict.
      assert.equal(
        judgeReply(expected, bytes, from, asked).kind,
        judgeReply(expected, bytes, from).kind,
      );
    }
  });

  it('a TCP server that refuses the connection is a clear error at once, not a wait', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const target = { host: '127.0.0.1', port };
    await assert.rejects(
      exchangeWith(
        target,
        buildQuery(9, NAME, RRType.A),
        { id: 9, opcode: 0, question: { name: NAME, type: 1, rrclass: 1 }, server: target },
        { signal: new AbortController().signal, timeoutMs: 10_000, tcp: true },
      ),
      new RegExp(
        `no answer from DNS server 127\\.0\\.0\\.1:${port} over TCP: connect ECONNREFUSED`,
      ),
    );
  });

  it("an abort ends the wait with the signal's reason and closes the socket", async () => {
    const server = await fakeServer(() => {});
    try {
      const controller = new AbortController();
      const target = { host: '127.0.0.1', port: server.port };
      const pending = exchangeWith(
        target,
        buildQuery(3, NAME, RRType.A),
        { id: 3, opcode: 0, question: { name: NAME, type: 1, rrclass: 1 }, server: target },
        { signal: controller.signal, timeoutMs: 10_000 },
      );
      setImmediate(() => controller.abort(new Error('stop now')));
      await assert.rejects(pending, /stop now/);
    } finally {
      await server.close();
    }
  });

  it('a message too big for DNS is a rejected promise (BadArgument), never a throw', async () => {
    const target = { host: '127.0.0.1', port: 9 };
    // exchangeWith is not async: its callers chain on what it returns, so a bad argument must reject.
    const pending = exchangeWith(
      target,
      Buffer.alloc(70_000),
      { id: 1, opcode: 0, question: { name: NAME, type: 1, rrclass: 1 }, server: target },
      { signal: new AbortController().signal, timeoutMs: 10 },
    );
    await assert.rejects(pending, /a 70000-byte DNS message/);
  });
});
