/**
 * Runs the real `cfstream` executable as a child process: the file package.json's
 * "bin" names (bin/cfstream.cjs, which loads dist/cjs/cli/main.js, made by
 * `npm run build`, which `npm test` runs first). Set CFSTREAM_CLI_FROM_SOURCE=1
 * to run src/cli/main.ts through tsx instead while developing. Every child is
 * awaited until its pipes close, so the leak check sees nothing left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();

/** The command line that starts cfstream. */
function cfstreamCommand(): string[] {
  if (process.env.CFSTREAM_CLI_FROM_SOURCE === '1')
    return ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    bin: { cfstream: string };
  };
  const file = join(root, bin.cfstream);
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: run \`npm run build\` (or set CFSTREAM_CLI_FROM_SOURCE=1)`,
    );
  return [file];
}

/** How a run ended and what it printed. */
export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running cfstream. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout matches `pattern`; fails with both outputs if it exits or takes too long. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves when the process has exited and its pipes have closed. */
  readonly done: Promise<CliResult>;
  /** Sends a signal (SIGINT by default) and waits for the end. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts `cfstream args...`; `input` (if given) is written to stdin, which is then closed. */
export function startCfstream(
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; keepStdinOpen?: boolean } = {},
): CliProcess {
  const child = spawn(process.execPath, [...cfstreamCommand(), ...args], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => {});
  if (options.input !== undefined) child.stdin.write(options.input);
  if (!options.keepStdinOpen) child.stdin.end();
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForStdout(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (!running() || Date.now() > deadline) {
          throw new Error(
            `cfstream ${args.join(' ')}: no ${pattern} on stdout (${running() ? 'still running' : `exited ${child.exitCode}`})\nstdout: ${stdout}\nstderr: ${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    done,
    async stop(signal = 'SIGINT') {
      if (running()) child.kill(signal);
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await done;
      clearTimeout(forced);
      return result;
    },
  };
}

/** Runs `cfstream args...` to the end (killed after `timeoutMs`). */
export async function runCfstream(
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const cli = startCfstream(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const result = await cli.done;
  clearTimeout(timer);
  return result;
}

/** stdout (or stderr) as JSON lines. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A unique instance name per test, so that tests never see each other's services. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Call inside a describe: a `startCfstream` whose processes are stopped (Ctrl-C) after each
 * test. Hooks run in the order they were added, so call it before an afterEach that stops a
 * peer the processes talk to.
 */
export function startedForEachTest(): typeof startCfstream {
  const running: CliProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((cli) => cli.stop()));
  });
  return (args, options) => {
    const cli = startCfstream(args, options);
    running.push(cli);
    return cli;
  };
}
