/**
 * Property of the mDNS engine's whole receive path (decode, cache, querier,
 * responder) on a fake network and clock: a run of hostile packets, from any
 * source, some naming our own service and the type we browse, never throws,
 * keeps the cache within its cap, caches only records the engine can send
 * again (as known answers, RFC 6762 §7.1), and leaves the engine asking its
 * questions (§5.2): nothing a peer sends can silence it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodePacket,
  Flag,
  joinName,
  type MdnsEngine,
  makeMessage,
  type PacketSource,
  RRType,
} from '../../src/mdns/index.js';
import { publishWithEngine } from '../../src/mdns/responder-registry.js';
import { fakeEngine, settle } from '../mdns/fake-network.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz-runs.js';
import { bytesOf, dnsName, hostileFrom, label, messageOf } from './dns-arbitraries.js';

const TYPE = '_http._tcp.local';
const INSTANCE = `My Echo.${TYPE}`;

/** Names a peer would use against us: ours, the browsed type, instances of it, and any. */
const names = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(INSTANCE, TYPE, 'me.local', `my echo.${TYPE}`) },
  { weight: 2, arbitrary: label.map((l) => `${joinName([l])}.${TYPE}`) },
  { weight: 1, arbitrary: dnsName },
);
const packets = hostileFrom(bytesOf(messageOf(names)));

/** Where a packet comes from: on link, off link, ourselves, a legacy port, a one-shot reply. */
const source: fc.Arbitrary<Partial<PacketSource>> = fc.record({
  address: fc.constantFrom('10.0.0.2', '10.0.0.1', '192.0.2.7', 'fe80::2', '10.0.0.200'),
  port: fc.constantFrom(5353, 5353, 40000),
  viaOneShot: fc.boolean(),
});

interface Arrival {
  readonly bytes: Buffer;
  readonly from: Partial<PacketSource>;
  readonly asResponse: boolean;
  readonly delayMs: number;
}

const arrival: fc.Arbitrary<Arrival> = fc.record({
  bytes: packets,
  from: source,
  asResponse: fc.boolean(),
  delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
});

/** Multicast queries the engine sent that ask `name`/`type`. */
function asked(
  sent: ReturnType<Awaited<ReturnType<typeof fakeEngine>>['net']['take']>,
  type: number,
): number {
  return sent.filter(
    (p) =>
      p.kind === 'multicast' &&
      (p.message.flags & Flag.QR) === 0 &&
      p.message.questions.some((q) => q.name === TYPE && q.type === type),
  ).length;
}

function encodable(engine: MdnsEngine, problems: string[]): () => void {
  return engine.cache.onChange((events) => {
    for (const { kind, entry } of events) {
      if (kind !== 'added') continue;
      try {
        encodePacket(makeMessage({ answers: [entry.record] }));
      } catch (error) {
        problems.push(`cached ${JSON.stringify(entry.record.name)}: ${(error as Error).message}`);
      }
    }
  });
}

/**
 * A bug this property found (docs/reliability.md), kept as a first case: a
 * PTR for the browsed type whose instance label is one U+FEFF.
 */
const bomPointer = Buffer.concat([
  Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
  Buffer.from('\x05_http\x04_tcp\x05local\x00', 'latin1'),
  Buffer.from([0, 12, 0, 1, 0, 0, 0x11, 0x94, 0, 6, 3, 0xef, 0xbb, 0xbf, 0xc0, 12]),
]);
const examples: [Arrival[]][] = [
  [
    [
      {
        bytes: bomPointer,
        from: { address: '10.0.0.2', port: 5353, viaOneShot: false },
        asResponse: true,
        delayMs: 0,
      },
    ],
  ],
];

const RUNS = fuzzRuns(200);

describe('mdns engine receive path (property)', () => {
  it(`survives any packets from any source and keeps asking (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arrival, { minLength: 1, maxLength: 6 }), async (arrivals) => {
        const { engine, net, clock } = await fakeEngine();
        const problems: string[] = [];
        const stopWatching = encodable(engine, problems);
        const publication = publishWithEngine(engine, {
          name: 'My Echo',
          type: '_http._tcp.',
          domain: 'local.',
          port: 7,
          txt: [Buffer.from('a=1')],
          noRename: false,
        });
        publication.registered.catch(() => {});
        const release = engine.querier.ask(TYPE, RRType.PTR);
        try {
          clock.advance(2000);
          await settle();
          net.take();
          for (const { bytes, from, asResponse, delayMs } of arrivals) {
            if (bytes.length > 2) {
              const flags = bytes[2] as number;
              bytes[2] = asResponse ? flags | 0x80 : flags & 0x7f;
            }
            net.injectBytes(bytes, from);
            assert.ok(engine.cache.bytes <= engine.options.limits.maxCacheBytes);
            clock.advance(delayMs);
            await settle();
          }
          net.take();
          // §5.2: the question is asked again within the doubling interval (at most 64 s here).
          clock.advance(70_000);
          await settle();
          assert.ok(engine.cache.bytes <= engine.options.limits.maxCacheBytes);
          assert.deepEqual(problems, []);
          assert.ok(asked(net.take(), RRType.PTR) > 0, 'the engine stopped asking its question');
        } finally {
          release();
          stopWatching();
          publication.stop().catch(() => {});
          engine.close();
        }
      }),
      { ...fuzzParameters<[Arrival[]]>(200), examples },
    );
  });
});
