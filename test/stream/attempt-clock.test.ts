import assert from 'node:assert/strict';
import { afterAttemptDelay, cancelWait } from '../../src/stream/attempt-clock.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('attempt clock (RFC 8305 §5 delays on one timer)', () => {
  it('fires each wait after its delay, in the order of their times, whatever the order they came in', async () => {
    const fired: string[] = [];
    const started = performance.now();
    const at: Record<string, number> = {};
    const mark = (name: string) => () => {
      fired.push(name);
      at[name] = performance.now() - started;
    };
    afterAttemptDelay(80, mark('80'));
    afterAttemptDelay(20, mark('20'));
    afterAttemptDelay(50, mark('50'));
    afterAttemptDelay(50, mark('50 again'));
    await sleep(150);
    assert.deepEqual(fired, ['20', '50', '50 again', '80']);
    assert.ok(at['20']! >= 19 && at['50']! >= 49 && at['80']! >= 79, JSON.stringify(at));
  });

  it('never fires a cancelled wait, and fires a wait queued by a firing one', async () => {
    const fired: string[] = [];
    const cancelled = afterAttemptDelay(10, () => fired.push('cancelled'));
    afterAttemptDelay(20, () => {
      fired.push('first');
      afterAttemptDelay(10, () => fired.push('queued by first'));
    });
    cancelWait(cancelled);
    cancelWait(undefined);
    await sleep(80);
    assert.deepEqual(fired, ['first', 'queued by first']);
  });

  it('does not keep the process alive', async () => {
    const { spawnSync } = await import('node:child_process');
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./src/stream/attempt-clock.ts').then((m) => m.afterAttemptDelay(5000, () => {}))",
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.ok(performance.now() - started < 4000, 'the process waited for the clock');
  });
});
