#!/usr/bin/env node
/**
 * The `cfstream` executable (package.json "bin"): runs the command line with
 * the process's streams and exits with its status. SIGINT/SIGTERM stop
 * long-running commands cleanly (publish sends its goodbyes); a second
 * signal exits at once.
 */
import { ExitStatus } from './command.js';
import { runCli } from './run-cli.js';

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(ExitStatus.Interrupted);
    interrupt.abort();
  });
}
// A closed stdout (cfstream browse | head -1) ends the command quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitStatus.Ok);
  throw error;
});

let finished = false;
// The event loop emptied while the command still waits: nothing can wake it (a transport that
// failed to start, for example). Fail instead of exiting 0 with nothing printed.
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write(`cfstream: ${process.argv[2] ?? ''}: stopped: nothing left to wait for\n`);
  process.exit(ExitStatus.Failed);
});

runCli(process.argv.slice(2), process, interrupt.signal).then(
  (status) => {
    finished = true;
    process.exit(status);
  },
  (error: unknown) => {
    process.stderr.write(`cfstream: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(ExitStatus.Failed);
  },
);
