/** The pair's state table (src/stream/pair-state.ts): exactly the moves its diagram draws. */
import assert from 'node:assert/strict';
import { allowsMove, type PairStateKind } from '../../src/stream/pair-state.js';

const KINDS: readonly PairStateKind[] = [
  'idle',
  'opening',
  'open',
  'upgrading',
  'failed',
  'closed',
];

// Every arrow of the diagram in allowsMove's doc comment, and no other.
const ARROWS = new Set([
  'idle>opening',
  'opening>open',
  'opening>failed',
  'open>upgrading',
  'upgrading>open',
  'upgrading>failed',
  'idle>closed',
  'opening>closed',
  'open>closed',
  'upgrading>closed',
  'failed>closed',
]);

describe('pair state table', () => {
  it('allows exactly the drawn transitions, STARTTLS as a sub-state of open', () => {
    for (const from of KINDS) {
      for (const to of KINDS) {
        assert.equal(allowsMove(from, to), ARROWS.has(`${from}>${to}`), `${from} -> ${to}`);
      }
    }
  });
});
