/**
 * The one timer behind every exchange's deadline (src/unicast/deadlines.ts):
 * each deadline fires once, in order, never before its time; a cancelled one
 * never fires; a deadline earlier than the one the timer waits for re-arms
 * it; nothing stays pending.
 */
import assert from 'node:assert/strict';
import { atDeadline, pendingDeadlines } from '../../src/unicast/deadlines.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('unicast deadlines: one timer for every exchange in flight', () => {
  it('fires each deadline once, in order and not before its time; a cancelled one never', async () => {
    const fired: string[] = [];
    const started = performance.now();
    const at: Record<string, number> = {};
    const note = (name: string) => () => {
      fired.push(name);
      at[name] = performance.now() - started;
    };
    atDeadline(60, note('late'));
    const cancelled = atDeadline(20, note('cancelled'));
    // Earlier than the deadline the timer is armed for: it must be re-armed.
    atDeadline(10, note('early'));
    atDeadline(30, note('middle'));
    cancelled.cancel();
    assert.equal(pendingDeadlines(), 3);
    await sleep(120);
    assert.deepEqual(fired, ['early', 'middle', 'late']);
    assert.ok(
      (at.early ?? 0) >= 10 && (at.middle ?? 0) >= 30 && (at.late ?? 0) >= 60,
      JSON.stringify(at),
    );
    assert.equal(pendingDeadlines(), 0);
  });

  it('a deadline cancelled from inside another expiry callback does not fire', async () => {
    const fired: string[] = [];
    let second: { cancel(): void } | undefined;
    atDeadline(5, () => {
      fired.push('first');
      second?.cancel();
    });
    second = atDeadline(40, () => fired.push('second'));
    await sleep(80);
    assert.deepEqual(fired, ['first']);
    assert.equal(pendingDeadlines(), 0);
  });
});
