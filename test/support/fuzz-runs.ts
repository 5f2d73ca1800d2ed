/**
 * How many cases a property runs: a small number in the test run, FUZZ_RUNS
 * under `npm run fuzz` (50,000). FUZZ_SEED replays a failure that fast-check
 * reported (it prints the seed and the path of the shrunk counterexample).
 */
import type { Parameters } from 'fast-check';

/** True under `npm run fuzz` (FUZZ_RUNS set). */
export const FUZZING = process.env.FUZZ_RUNS !== undefined;

/** The case count: FUZZ_RUNS when set, else `small`. */
export function fuzzRuns(small: number): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined) return small;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error('FUZZ_RUNS must be a positive integer');
  return runs;
}

/** fast-check parameters for `fc.assert`: the case count, and FUZZ_SEED when set. */
export function fuzzParameters<T>(small: number): Parameters<T> {
  const seed = process.env.FUZZ_SEED;
  return seed === undefined
    ? { numRuns: fuzzRuns(small) }
    : { numRuns: fuzzRuns(small), seed: Number(seed) };
}
