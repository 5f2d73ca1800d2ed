/**
 * Part 3: memory per open idle pair against a raw idle socket. Each sample is
 * a fresh child process (node --expose-gc --import tsx bench/memory-child.ts)
 * holding `count` connections of one kind; raw and pair samples alternate.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { MemoryKind, MemorySample } from './memory-child.js';
import { median, round } from './stats.js';

export interface MemoryRow {
  readonly kind: MemoryKind;
  readonly count: number;
  /** Per connection, bytes, median over the samples. */
  readonly heapPlusExternal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
  readonly samples: MemorySample[];
}

export interface MemoryOptions {
  readonly count: number;
  readonly repeats: number;
  readonly idlePort: number;
  /** Where the library comes from (library.ts). */
  readonly from: string;
  readonly log: (line: string) => void;
}

async function sample(
  kind: MemoryKind,
  port: number,
  count: number,
  from: string,
): Promise<MemorySample> {
  const child = fork(
    fileURLToPath(new URL('./memory-child.ts', import.meta.url)),
    [kind, String(port), String(count), from],
    {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`memory child (${kind}) exited with ${String(code)} before reporting`);
    }),
  ])) as [MemorySample];
  if (child.exitCode === null) await once(child, 'exit');
  return message;
}

export async function runMemory(options: MemoryOptions): Promise<MemoryRow[]> {
  const samples: Record<MemoryKind, MemorySample[]> = { raw: [], pair: [] };
  for (let i = 0; i < options.repeats; i++) {
    for (const kind of ['raw', 'pair'] as const) {
      const s = await sample(kind, options.idlePort, options.count, options.from);
      samples[kind].push(s);
      const per = (bytes: number): string => `${round(bytes / s.count / 1024, 2)} KiB`;
      options.log(
        `  ${kind} #${i + 1}: heap+external ${per(s.heapUsed + s.external)}, rss ${per(s.rss)} per connection`,
      );
    }
  }
  return (['raw', 'pair'] as const).map((kind) => {
    const list = samples[kind];
    const per = (pick: (s: MemorySample) => number): number =>
      Math.round(median(list.map((s) => pick(s) / s.count)));
    return {
      kind,
      count: options.count,
      heapPlusExternal: per((s) => s.heapUsed + s.external),
      heapUsed: per((s) => s.heapUsed),
      external: per((s) => s.external),
      rss: per((s) => s.rss),
      samples: list,
    };
  });
}
