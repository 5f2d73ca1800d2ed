/** The A/B scripts' rounds: every variant once a round, the order shifted by one each round. */
import assert from 'node:assert/strict';
import { inRotation, spread } from '../../bench/rotation.js';

describe('bench rounds in rotation', () => {
  it('runs every name once a round, each round starting one name later', async () => {
    const order: string[] = [];
    let n = 0;
    const results = await inRotation(['a', 'b', 'c'], 4, async (name) => {
      order.push(name);
      return n++;
    });
    assert.deepEqual(order, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c']);
    // Each name's results in round order.
    assert.deepEqual(results, { a: [0, 5, 7, 9], b: [1, 3, 8, 10], c: [2, 4, 6, 11] });
  });

  it('reports the median, its interval and the range', () => {
    assert.equal(spread([1, 2, 3, 4, 5]), '3.00 (1.00-5.00) [1.00-5.00]');
  });
});
