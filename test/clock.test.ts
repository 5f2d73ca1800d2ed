import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { realClock } from '../src/clock.js';

const clockModule = fileURLToPath(new URL('../src/clock.ts', import.meta.url));

describe('clock', () => {
  it('runs a zero-delay timer on the next turn, even when nothing else wakes the loop', async () => {
    // In a process of its own, where the loop's only other work is a 300 ms timer: it would
    // block in poll until then if the zero-delay timer did not hold it (an unref'd immediate).
    // It starts once the module loader has gone quiet (its messages wake the loop too).
    const script = `
      import { realClock } from ${JSON.stringify(clockModule)};
      setTimeout(() => {
        const started = performance.now();
        realClock.setTimer(() => console.log(performance.now() - started), 0);
        setTimeout(() => {}, 300);
      }, 50);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 10_000 },
    );
    const ranAfter = Number(stdout.trim());
    assert.ok(ranAfter < 100, `ran after ${stdout.trim()} ms`);
  });

  it('cancels a zero-delay timer and a delayed one', async () => {
    let ran = 0;
    realClock.setTimer(() => ran++, 0).cancel();
    realClock.setTimer(() => ran++, 5).cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(ran, 0);
  });
});
