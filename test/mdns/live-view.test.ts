/** The live view of services (live-view.ts, live-services.ts) on a fake clock and network. */
import assert from 'node:assert/strict';
import type { FakeClock } from '../../src/clock.js';
import { type DnsRecord, Flag, type MdnsEngine, makeMessage } from '../../src/mdns/index.js';
import { monitorServiceWithEngine, watchServicesWithEngine } from '../../src/mdns/live-services.js';
import type { LiveChange } from '../../src/mdns/live-view.js';
import { type FakeTransport, fakeEngine, settle } from './fake-network.js';

const TYPE = '_http._tcp.local';
const instance = (i: number) => `Svc ${i}.${TYPE}`;
const rec = (name: string, data: DnsRecord['data'], ttl = 120, cacheFlush = true): DnsRecord => ({
  name,
  rrclass: 1,
  cacheFlush,
  ttl,
  data,
});
const ptr = (i: number, ttl = 4500) => rec(TYPE, { type: 'PTR', target: instance(i) }, ttl, false);
const srv = (i: number, port = 8000 + i) =>
  rec(instance(i), { type: 'SRV', priority: 0, weight: 0, port, target: `host${i}.local` });
const txt = (i: number, value: string) =>
  rec(instance(i), { type: 'TXT', strings: [Buffer.from(`v=${value}`)] }, 4500);
const addr = (i: number, address = `10.0.1.${i % 250}`) =>
  rec(`host${i}.local`, { type: 'A', address });
const answer = (...answers: DnsRecord[]) => makeMessage({ flags: Flag.QR | Flag.AA, answers });
const service = (i: number, value = '1') => [ptr(i), srv(i), txt(i, value), addr(i)];

describe('mdns live view', () => {
  let engine: MdnsEngine;
  let net: FakeTransport;
  let clock: FakeClock;
  let batches: LiveChange[][];
  let stops: (() => void)[];
  const run = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  const watch = (type = TYPE) => {
    const stop = watchServicesWithEngine(engine, type, {
      changes: (c) => batches.push(c),
      failed: (e) => assert.fail(e),
    });
    stops.push(stop);
    return stop;
  };
  const changes = () =>
    batches
      .flat()
      .map(
        (c) =>
          `${c.kind} ${c.instance} ${c.resolution.port} ${c.resolution.txt.map(String).join(',')}`,
      );

  beforeEach(async () => {
    ({ engine, net, clock } = await fakeEngine());
    batches = [];
    stops = [];
  });
  afterEach(() => {
    for (const stop of stops) stop();
    engine.close();
  });

  it('reports found once SRV, address and TXT are all known, then updated, then removed on the PTR goodbye', async () => {
    watch();
    net.inject(answer(ptr(1), srv(1)));
    await run(10);
    assert.deepEqual(changes(), [], 'no address and no TXT yet');
    net.inject(answer(addr(1), txt(1, 'a')));
    await run(10);
    assert.deepEqual(changes(), [`found Svc 1.${TYPE} 8001 v=a`]);
    net.inject(answer(txt(1, 'b')));
    await run(600);
    net.inject(answer(srv(1, 9001)));
    await run(600);
    net.inject(answer(ptr(1, 0)));
    // §10.1: the cache keeps a record one second after its goodbye, then it is gone.
    await run(1100);
    assert.deepEqual(changes(), [
      `found Svc 1.${TYPE} 8001 v=a`,
      `updated Svc 1.${TYPE} 8001 v=b`,
      `updated Svc 1.${TYPE} 9001 v=b`,
      `removed Svc 1.${TYPE} 9001 v=b`,
    ]);
  });

  it('an address change of the target host is an update', async () => {
    watch();
    net.inject(answer(...service(3)));
    // RFC 6762 §10.2: a cache-flush spares records under a second old, so the new address comes later.
    await run(1100);
    net.inject(answer(addr(3, '10.9.9.9')));
    await run(600);
    const last = batches.flat().at(-1);
    assert.equal(last?.kind, 'updated');
    assert.deepEqual(
      last?.resolution.addresses.map((a) => a.address),
      ['10.9.9.9'],
    );
  });

  it('an update within the interval after the last report waits for its end', async () => {
    watch();
    net.inject(answer(...service(2)));
    await run(100);
    net.inject(answer(txt(2, 'b')));
    await run(300);
    assert.equal(batches.flat().length, 1, 'still coalescing');
    await run(100);
    assert.deepEqual(changes().at(-1), `updated Svc 2.${TYPE} 8002 v=b`);
  });

  it('coalesces a TXT rewritten 50 times a second into at most two updates a second, the latest data last', async () => {
    watch();
    net.inject(answer(...service(1)));
    await run(10);
    for (let n = 0; n < 100; n++) {
      net.inject(answer(txt(1, `n${n}`)));
      await run(20);
    }
    await run(1000);
    const updates = batches.flat().filter((c) => c.kind === 'updated');
    assert.ok(updates.length <= 6, `${updates.length} updates in 2 s`);
    assert.equal(String(updates.at(-1)?.resolution.txt[0]), 'v=n99');
  });

  it('reports 300 instances announced at once in a few batches, moreComing-sized, each found once', async () => {
    watch();
    for (let i = 0; i < 300; i += 10) {
      net.inject(answer(...Array.from({ length: 10 }, (_, k) => service(i + k)).flat()));
    }
    await run(10);
    const found = batches.flat().filter((c) => c.kind === 'found');
    assert.equal(found.length, 300);
    assert.equal(new Set(found.map((c) => c.instance)).size, 300);
    assert.ok(batches.length <= 3, `${batches.length} batches`);
  });

  it('asks for what is missing only, and unsubscribing stops every question', async () => {
    const stop = watch();
    net.inject(answer(ptr(1), srv(1)));
    await run(10);
    // The PTR, the missing TXT, and the target's A and AAAA.
    assert.equal(engine.querier.activeCount, 4);
    net.inject(answer(txt(1, 'a'), addr(1)));
    await run(10);
    assert.equal(engine.querier.activeCount, 1, 'only the PTR stays asked');
    stop();
    assert.equal(engine.querier.activeCount, 0);
    await run(5000);
    const before = net.sent.length;
    await run(60_000);
    assert.equal(net.sent.length, before, 'nothing more sent');
  });

  it('a peer announcing 500 instances it never resolves gets at most 64 asked at once, in turns; real ones still show', async () => {
    watch();
    for (let i = 0; i < 500; i += 50)
      net.inject(answer(...Array.from({ length: 50 }, (_, k) => ptr(1000 + i + k))));
    await run(10);
    // The PTR, and SRV and TXT for 64 instances.
    assert.equal(engine.querier.activeCount, 1 + 64 * 2);
    const askedNow = () =>
      new Set(
        net
          .take()
          .flatMap((p) => p.message.questions.map((q) => q.name))
          .filter((n) => n.startsWith('Svc')),
      );
    const first = askedNow();
    await run(5100);
    const second = askedNow();
    assert.ok(
      [...second].some((n) => !first.has(n)),
      'after a turn, instances that waited are asked',
    );
    assert.equal(engine.querier.activeCount, 1 + 64 * 2);
    net.inject(answer(...service(7)));
    await run(10);
    assert.deepEqual(changes(), [`found Svc 7.${TYPE} 8007 v=1`]);
  });

  it('§5.2: asks again for its records at 80% of their lifetime; answered, nothing changes', async () => {
    watch();
    const aaaa = rec('host8.local', { type: 'AAAA', address: 'fd00::8' });
    net.inject(answer(...service(8)));
    await run(2000);
    // The AAAA comes in a packet of its own, two seconds later: its expiry is not the A's.
    net.inject(answer(aaaa));
    await run(1000);
    const settled = changes();
    assert.deepEqual(settled.length, 2, 'found, then updated with the AAAA');
    net.take();
    await run(94_000); // t = 97 s: SRV and A (TTL 120 s) are past 96 s
    const asked = net.take().flatMap((p) => p.message.questions.map((q) => `${q.name}/${q.type}`));
    assert.ok(asked.includes(`Svc 8.${TYPE}/33`), asked.join(' '));
    assert.ok(asked.includes('host8.local/1'), asked.join(' '));
    // The peer answers; from then on it answers every refresh as it comes.
    for (let t = 97; t < 400; t += 1) {
      const due = net.take().flatMap((p) => p.message.questions.map((q) => q.name));
      if (due.includes(`Svc 8.${TYPE}`)) net.inject(answer(srv(8)));
      if (due.includes('host8.local')) net.inject(answer(addr(8), aaaa));
      await run(1000);
    }
    assert.deepEqual(changes(), settled, 'no update, no removal');
  });

  it('reports a service with no TXT after the wait, with an empty TXT', async () => {
    watch();
    net.inject(answer(ptr(4), srv(4), addr(4)));
    await run(999);
    assert.deepEqual(changes(), []);
    await run(10);
    assert.deepEqual(changes(), [`found Svc 4.${TYPE} 8004 `]);
  });

  it('ignores PTR targets that are not instances of the type', async () => {
    watch();
    net.inject(
      answer(
        rec(TYPE, { type: 'PTR', target: '_printer._sub._http._tcp.local' }, 4500, false),
        rec(TYPE, { type: 'PTR', target: 'other._ipp._tcp.local' }, 4500, false),
      ),
    );
    await run(2000);
    assert.deepEqual(changes(), []);
    assert.equal(engine.querier.activeCount, 1, 'nothing asked for them');
  });

  it('a subtype view reports the base type instances its PTRs name', async () => {
    watch(`_printer._sub.${TYPE}`);
    net.inject(
      answer(
        rec(`_printer._sub.${TYPE}`, { type: 'PTR', target: instance(5) }, 4500, false),
        srv(5),
        txt(5, 'p'),
        addr(5),
      ),
    );
    await run(10);
    assert.deepEqual(changes(), [`found Svc 5.${TYPE} 8005 v=p`]);
  });

  it('monitor asks SRV and TXT for as long as it runs, and reports each change', async () => {
    const stop = monitorServiceWithEngine(engine, instance(6), {
      changes: (c) => batches.push(c),
      failed: (e) => assert.fail(e),
    });
    stops.push(stop);
    net.inject(answer(srv(6), txt(6, 'x'), addr(6)));
    await run(10);
    assert.equal(engine.querier.activeCount, 4, 'SRV, TXT, A and AAAA stay asked');
    net.inject(answer(txt(6, 'y')));
    await run(600);
    assert.deepEqual(changes(), [`found Svc 6.${TYPE} 8006 v=x`, `updated Svc 6.${TYPE} 8006 v=y`]);
    stop();
    assert.equal(engine.querier.activeCount, 0);
  });
});
