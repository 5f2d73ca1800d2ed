/**
 * The one timer behind the connection races' attempt delays and the DNS
 * exchanges' deadlines (src/shared-timer.ts): each call fires once, in the
 * order of its time and never before it; a cancelled one never fires, also
 * when cancelled from inside another; an earlier call re-arms the timer;
 * nothing stays pending, and the timer keeps no process alive.
 */
import assert from 'node:assert/strict';
import { pendingCalls, runAfter, type Scheduled } from '../src/shared-timer.js';

/** Calls that record, when fired, their name and the ms since this was made. */
function firings() {
  const fired: string[] = [];
  const at: Record<string, number> = {};
  const started = performance.now();
  const mark = (name: string) => () => {
    fired.push(name);
    at[name] = performance.now() - started;
  };
  return { fired, at, mark };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared timer (attempt delays and DNS deadlines on one Node timer)', () => {
  it('fires each call after its delay, in the order of their times, whatever the order they came in', async () => {
    const { fired, at, mark } = firings();
    runAfter(80, mark('80'));
    runAfter(20, mark('20'));
    runAfter(50, mark('50'));
    runAfter(50, mark('50 again'));
    await sleep(150);
    assert.deepEqual(fired, ['20', '50', '50 again', '80']);
    assert.ok(at['20']! >= 19 && at['50']! >= 49 && at['80']! >= 79, JSON.stringify(at));
  });

  it('never fires a cancelled call, and fires a call queued by a firing one', async () => {
    const fired: string[] = [];
    const cancelled = runAfter(10, () => fired.push('cancelled'));
    runAfter(20, () => {
      fired.push('first');
      runAfter(10, () => fired.push('queued by first'));
    });
    cancelled.cancel();
    await sleep(80);
    assert.deepEqual(fired, ['first', 'queued by first']);
  });

  it('fires each deadline once, in order and not before its time; a cancelled one never', async () => {
    const { fired, at, mark: note } = firings();
    const before = pendingCalls();
    runAfter(60, note('late'));
    const cancelled = runAfter(20, note('cancelled'));
    // Earlier than the call the timer is armed for: it must be re-armed.
    runAfter(10, note('early'));
    runAfter(30, note('middle'));
    cancelled.cancel();
    assert.equal(pendingCalls(), before + 3);
    await sleep(120);
    assert.deepEqual(fired, ['early', 'middle', 'late']);
    assert.ok(
      (at.early ?? 0) >= 10 && (at.middle ?? 0) >= 30 && (at.late ?? 0) >= 60,
      JSON.stringify(at),
    );
    assert.equal(pendingCalls(), before);
  });

  it('a call cancelled from inside another does not fire', async () => {
    const fired: string[] = [];
    const before = pendingCalls();
    let second: Scheduled | undefined;
    runAfter(5, () => {
      fired.push('first');
      second?.cancel();
    });
    second = runAfter(40, () => fired.push('second'));
    await sleep(80);
    assert.deepEqual(fired, ['first']);
    assert.equal(pendingCalls(), before);
  });

  it('sweeps cancelled calls that pile up, and still fires the live ones', async () => {
    const fired: number[] = [];
    for (let i = 0; i < 10_000; i++) runAfter(60_000, () => fired.push(i)).cancel();
    runAfter(10, () => fired.push(-1));
    await sleep(40);
    assert.deepEqual(fired, [-1]);
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
        "import('./src/shared-timer.ts').then((m) => m.runAfter(5000, () => {}))",
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.ok(performance.now() - started < 4000, 'the process waited for the timer');
  });
});
