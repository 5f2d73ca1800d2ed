/** The throughput bench's pairing: fair order, and the confidence interval of a median. */
import assert from 'node:assert/strict';
import { medianInterval, roundOrder } from '../../bench/throughput.js';

describe('bench/throughput pairing', () => {
  it('gives each API raw first and raw second equally, and the lead in turns, over four rounds', () => {
    const seen = new Map<string, number>();
    const leads = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const order = roundOrder(round);
      assert.deepEqual(order.map((p) => p.api).sort(), ['cf', 'duplex']);
      leads.set(order[0]!.api, (leads.get(order[0]!.api) ?? 0) + 1);
      for (const { api, rawFirst } of order) {
        const key = `${api} ${rawFirst}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    assert.deepEqual(Object.fromEntries(seen), {
      'cf true': 2,
      'cf false': 2,
      'duplex true': 2,
      'duplex false': 2,
    });
    assert.deepEqual(Object.fromEntries(leads), { cf: 2, duplex: 2 });
  });

  it('takes the 10th and 21st of 30 values as the 95% interval of their median', () => {
    // P(Binomial(30, 1/2) <= 9) = 0.021, P(<= 10) = 0.049.
    const values = Array.from({ length: 30 }, (_, i) => 30 - i); // 30..1, unsorted order
    assert.deepEqual(medianInterval(values), [10, 21]);
  });

  it('falls back to the whole range when there are too few values for 95%', () => {
    assert.deepEqual(medianInterval([3, 1, 2, 5]), [1, 5]);
  });
});
