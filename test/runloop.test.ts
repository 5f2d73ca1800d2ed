import assert from 'node:assert/strict';
import { firstValueFrom, from, observeOn, toArray } from 'rxjs';
import { kCFRunLoopCommonModes, kCFRunLoopDefaultMode } from '../src/constants.js';
import { RunLoop } from '../src/runloop.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RunLoop', () => {
  it('runs tasks in the order they were posted, never inside the posting call', async () => {
    const loop = new RunLoop();
    const seen: number[] = [];
    let inCall = true;
    for (let i = 0; i < 5; i++) loop.post(() => seen.push(inCall ? -1 : i));
    inCall = false;
    await turn();
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('runs a task posted by a task after everything queued before it', async () => {
    const loop = new RunLoop();
    const seen: string[] = [];
    loop.post(() => {
      seen.push('a');
      loop.post(() => seen.push('c'));
    });
    loop.post(() => seen.push('b'));
    await turn();
    await turn();
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it('keeps delivering after a task throws, and reports the throw', async () => {
    const loop = new RunLoop();
    const seen: string[] = [];
    // Mocha listens for uncaught exceptions itself: stand aside for this one.
    const mochaListeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const thrown = new Promise<unknown>((resolve) =>
      process.once('uncaughtException', resolve),
    ).finally(() => {
      for (const listener of mochaListeners) process.on('uncaughtException', listener);
    });
    loop.post(() => {
      throw new Error('client bug');
    });
    loop.post(() => seen.push('after'));
    await turn();
    assert.deepEqual(seen, ['after']);
    assert.match(String(await thrown), /client bug/);
  });

  it('holds tasks of another mode until the loop switches to it', async () => {
    const loop = new RunLoop();
    const seen: string[] = [];
    loop.post(() => seen.push('custom'), 'MyMode');
    loop.post(() => seen.push('default'), kCFRunLoopDefaultMode);
    loop.post(() => seen.push('common'), kCFRunLoopCommonModes);
    await turn();
    assert.deepEqual(seen, ['default', 'common']);
    loop.currentMode = 'MyMode';
    loop.post(() => seen.push('common in MyMode'), kCFRunLoopCommonModes);
    await turn();
    // MyMode is not a common mode until added, so common-mode work waits there.
    assert.deepEqual(seen, ['default', 'common', 'custom']);
    loop.addCommonMode('MyMode');
    loop.currentMode = 'MyMode';
    await turn();
    assert.deepEqual(seen, ['default', 'common', 'custom', 'common in MyMode']);
    assert.throws(() => {
      loop.currentMode = kCFRunLoopCommonModes;
    }, TypeError);
  });

  it('is an RxJS scheduler: observeOn moves delivery onto the loop', async () => {
    const loop = new RunLoop();
    let synchronous = true;
    const values = firstValueFrom(from([1, 2, 3]).pipe(observeOn(loop), toArray()));
    const seenSync: boolean[] = [];
    loop.post(() => seenSync.push(synchronous));
    synchronous = false;
    assert.deepEqual(await values, [1, 2, 3]);
    assert.deepEqual(seenSync, [false]);
  });

  it('honours delays and cancellation of scheduled work', async () => {
    const loop = new RunLoop();
    const seen: string[] = [];
    const start = Date.now();
    loop.schedule(() => seen.push('late'), 30);
    const cancelled = loop.schedule(() => seen.push('cancelled'), 10);
    loop.schedule(() => seen.push('now'));
    cancelled.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(seen, ['now', 'late']);
    assert.ok(Date.now() - start >= 30);
  });

  it('lets a scheduled action reschedule itself', async () => {
    const loop = new RunLoop();
    const counts: number[] = [];
    await new Promise<void>((resolve) => {
      loop.schedule<number>(
        function (n = 0) {
          counts.push(n);
          if (n < 3) this.schedule(n + 1);
          else resolve();
        },
        0,
        0,
      );
    });
    assert.deepEqual(counts, [0, 1, 2, 3]);
  });
});
