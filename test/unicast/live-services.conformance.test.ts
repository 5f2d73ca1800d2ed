/**
 * The live view's polling on a fake clock, to the millisecond: the zone's
 * serial is read at once and every serialPollMs after the read before it; a
 * read that differs from the one before calls for the instances to be
 * resolved again; a failed read makes the next good one count as a change.
 * Also what counts as a change of a resolution (port, host, addresses, TXT).
 */
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { sameResolution, watchSerial } from '../../src/unicast/live-services.js';

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('unicast live view: serial polling (fake clock)', () => {
  it('reads at 0, 500, 1000...; a moved serial and a failed read are changes', async () => {
    const clock = new FakeClock();
    const serials: (number | undefined | 'throw')[] = [1, 1, 2, 2, 'throw', 2, undefined, 3, 3];
    const log: [number, string][] = [];
    const watch = watchSerial(
      async () => {
        const next = serials.shift();
        log.push([clock.now(), `read ${next}`]);
        if (next === 'throw') throw new Error('server down');
        return next;
      },
      clock,
      500,
      () => log.push([clock.now(), 'changed']),
    );
    for (let t = 0; t <= 4000; t += 100) {
      await flush();
      clock.advance(100);
    }
    watch.stop();
    assert.deepEqual(log, [
      [0, 'read 1'],
      [500, 'read 1'],
      [1000, 'read 2'],
      [1000, 'changed'],
      [1500, 'read 2'],
      [2000, 'read throw'],
      [2500, 'read 2'],
      [2500, 'changed'],
      [3000, 'read undefined'],
      [3500, 'read 3'],
      [3500, 'changed'],
      [4000, 'read 3'],
    ]);
  });

  it('a change is a different port, host, address set or TXT; address order is not', () => {
    const base = {
      hostName: 'h.example.test',
      port: 80,
      addresses: [
        { address: '192.0.2.1', family: 4 as const },
        { address: '192.0.2.2', family: 4 as const },
      ],
      txt: [Buffer.from('v=1')],
    };
    assert.ok(sameResolution(base, { ...base, addresses: [...base.addresses].reverse() }));
    assert.ok(sameResolution(base, { ...base, hostName: 'H.example.test' }));
    assert.ok(!sameResolution(base, { ...base, port: 81 }));
    assert.ok(!sameResolution(base, { ...base, hostName: 'g.example.test' }));
    assert.ok(!sameResolution(base, { ...base, addresses: [base.addresses[0] as never] }));
    assert.ok(!sameResolution(base, { ...base, txt: [Buffer.from('v=2')] }));
  });
});
