/** Printing the results as tables and writing them as JSON. */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { MemoryRow } from './memory.js';
import type { DispatchRow } from './runloop.js';
import type { SecureRow } from './secure-throughput.js';
import { round } from './stats.js';
import type { ThroughputRow } from './throughput.js';
import type { TlsOpenResult } from './tls-open.js';
import type { WarmOpenRow } from './warm-open.js';
import type { WideAreaResult } from './wide-area.js';

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly loadAverageBefore: number[];
    readonly loadAverageAfter: number[];
  };
  readonly settings: Record<string, number | string>;
  readonly throughput: ThroughputRow[];
  readonly dispatch: DispatchRow[];
  readonly memory: MemoryRow[];
  readonly secure: SecureRow[];
  readonly warmOpen: WarmOpenRow[];
  readonly tlsOpen?: TlsOpenResult;
  readonly wideArea?: WideAreaResult;
  readonly goals: Goal[];
}

/** One goal of issue 2 and whether this run met it. */
export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Aligns rows into columns (first row is the header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ');
  return [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

export function throughputTable(rows: readonly ThroughputRow[]): string {
  return table([
    [
      'direction',
      'api',
      'block',
      'pairs',
      'median ms',
      'GB/s',
      'x raw (95% CI; range over pairs)',
      'client CPU ms/GiB',
      'CPU x raw (range)',
    ],
    ...rows.map((r) => [
      r.direction,
      r.api,
      r.block >= 1024 * 1024 ? `${r.block / 1024 / 1024} MiB` : `${r.block / 1024} KiB`,
      String(r.pairs),
      String(round(r.medianMs, 0)),
      r.gbPerSecond.toFixed(2),
      r.api === 'raw'
        ? '1'
        : `${r.ratioToRaw.toFixed(2)} (${r.ratioLow.toFixed(2)}-${r.ratioHigh.toFixed(2)}; ${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)})`,
      String(r.cpuMsPerGiB),
      r.api === 'raw'
        ? '1'
        : `${r.cpuToRaw.toFixed(2)} (${r.cpuRatioMin.toFixed(2)}-${r.cpuRatioMax.toFixed(2)})`,
    ]),
  ]);
}

export function dispatchTable(rows: readonly DispatchRow[]): string {
  return table([
    ['path', 'events', 'median events/s'],
    ...rows.map((r) => [r.path, String(r.events), `${(r.medianPerSecond / 1e6).toFixed(2)} M`]),
  ]);
}

/** The range of heap+external / raw's over the samples (sample i of each kind ran back to back). */
function ratioRange(row: MemoryRow, raw: MemoryRow): string {
  if (row === raw) return '';
  const heap = (s: MemoryRow['samples'][number]): number => (s.heapUsed + s.external) / s.count;
  const ratios = row.samples.map((s, i) => heap(s) / heap(raw.samples[i] ?? s));
  return ` (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
}

export function memoryTable(rows: readonly MemoryRow[]): string {
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KiB`;
  const raw = rows.find((r) => r.kind === 'raw');
  return table([
    [
      'kind',
      'N',
      'heap+external',
      'heapUsed',
      'external',
      'RSS',
      'heap+ext x raw (range over samples)',
      'RSS x raw',
    ],
    ...rows.map((r) => [
      r.kind,
      String(r.count),
      kib(r.heapPlusExternal),
      kib(r.heapUsed),
      kib(r.external),
      kib(r.rss),
      raw ? `${(r.heapPlusExternal / raw.heapPlusExternal).toFixed(2)}${ratioRange(r, raw)}` : '-',
      raw ? (r.rss / raw.rss).toFixed(2) : '-',
    ]),
  ]);
}

export function goalsTable(goals: readonly Goal[]): string {
  return table([
    ['goal', 'measured', 'met'],
    ...goals.map((g) => [g.goal, g.measured, g.met ? 'yes' : 'NO']),
  ]);
}

/**
 * Writes the report, then lets Biome format it: bench/ is inside `biome check`, and
 * JSON.stringify's layout is not Biome's, so an unformatted file would fail the lint.
 */
export async function writeJson(path: URL, report: BenchReport): Promise<void> {
  await mkdir(new URL('.', path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  const result = spawnSync(biome, ['format', '--write', fileURLToPath(path)], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.warn(
      `bench: could not format ${fileURLToPath(path)} with Biome: ${result.error?.message ?? result.stderr}`,
    );
  }
}

/** The TLS and SOCKS rows as a table. */
export function secureTable(rows: readonly SecureRow[]): string {
  return table([
    ['family', 'api', 'runs (ms)', 'median ms', 'GB/s', 'ratio'],
    ...rows.map((r) => [
      r.family,
      r.api,
      r.runsMs.join(' / '),
      r.medianMs.toFixed(0),
      r.gbPerSecond.toFixed(2),
      r.ratio.toFixed(2),
    ]),
  ]);
}

export function warmOpenTable(rows: readonly WarmOpenRow[]): string {
  return table([
    ['path', 'rounds x opens', 'median ms', 'x raw, median (range over rounds)'],
    ...rows.map((r) => [
      r.path,
      `${r.rounds} x ${r.opensPerRound}`,
      r.medianMs.toFixed(3),
      `${r.ratioToRaw.toFixed(2)} (${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)})`,
    ]),
  ]);
}

/** CPU per TLS open: each path's rounds, then the per-round ratio. */
export function tlsOpenTable(result: TlsOpenResult): string {
  const ms = (value: number): string => value.toFixed(2);
  return [
    table([
      ['path', 'opens/round', 'rounds', 'median ms CPU', 'min-max ms CPU'],
      ...result.rows.map((r) => [
        r.path,
        String(r.opensPerRound),
        String(result.rounds),
        ms(r.medianCpuMs),
        `${ms(r.minCpuMs)}-${ms(r.maxCpuMs)}`,
      ]),
    ]),
    '',
    `pair / tls.connect: median ${result.ratio.median.toFixed(2)} x, rounds ${result.ratio.min.toFixed(2)}-${result.ratio.max.toFixed(2)} (${result.ratios.join(' ')})`,
    'command: npm run bench -- --only=tlsopen',
  ].join('\n');
}
