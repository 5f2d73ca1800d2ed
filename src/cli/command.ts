/**
 * The shape of one `cfstream` command: its options, its help text and the
 * function that runs it. run-cli.ts parses the command line against
 * `options` and hands the result to `run`, which returns the exit status.
 */
import type { Observable, Subscription } from 'rxjs';
import type { OptionTable, ParsedArgs } from './args.js';
import type { CliIO, Output } from './output.js';

/** Exit statuses: 0 success, 1 a failure the library reported, 2 a usage error, 130 interrupted. */
export const ExitStatus = { Ok: 0, Failed: 1, Usage: 2, Interrupted: 130 } as const;

/** What a command gets to work with. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly out: Output;
  readonly io: CliIO;
  /** Aborted on SIGINT or SIGTERM: long-running commands stop cleanly. */
  readonly interrupted: AbortSignal;
}

/** One command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text (without the common options, which run-cli.ts appends). */
  readonly help: string;
  readonly options: OptionTable;
  run(context: CommandContext): Promise<number>;
}

/** Resolves when `signal` aborts (at once if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Resolves after `ms`, or never when `ms` is undefined; the timer is cleared when `signal` aborts. */
export function afterTimeout(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (ms === undefined) return new Promise(() => {});
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
}

/** The first value of `source`; rejects when `signal` aborts first (and drops the subscription). */
export function untilInterrupted<T>(source: Observable<T>, signal: AbortSignal): Promise<T> {
  let subscription: Subscription | undefined;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      subscription?.unsubscribe();
      reject(new Error('interrupted'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    subscription = source.subscribe({
      next: (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error: (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    });
  });
}
