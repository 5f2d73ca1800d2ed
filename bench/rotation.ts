/**
 * Rounds in rotation for the A/B throughput scripts (throughput-ab.ts,
 * api-floors.ts): every round runs each variant once, the order shifted by
 * one each round, so no variant always follows another; the `--name=value`
 * flags they take; and how their per-round ratios are printed.
 */
import { median, round } from './stats.js';
import { medianInterval } from './throughput.js';

/** `--name=value` from the command line, or `fallback`. */
export const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** Runs `repeats` rounds of every name in rotation; each name's results, in round order. */
export async function inRotation<T>(
  names: readonly string[],
  repeats: number,
  run: (name: string) => Promise<T>,
): Promise<Record<string, T[]>> {
  const results: Record<string, T[]> = {};
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      (results[name] ??= []).push(await run(name));
    }
  }
  return results;
}

/** "median (95% interval) [least-greatest]" of per-round ratios. */
export function spread(ratios: readonly number[]): string {
  const [low, high] = medianInterval(ratios);
  const f = (v: number): string => round(v).toFixed(2);
  return `${f(median(ratios))} (${f(low)}-${f(high)}) [${f(Math.min(...ratios))}-${f(Math.max(...ratios))}]`;
}
