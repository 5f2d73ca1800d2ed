/** Starts and stops the server child process (bench/server.ts). */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ServerPorts } from './server.js';

/** A running server child. */
export interface BenchServer {
  readonly ports: ServerPorts;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Forks the server child (serving `size` bytes per source connection) and waits for its ports. */
export async function startBenchServer(size: number): Promise<BenchServer> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./server.ts', import.meta.url)),
    [String(size)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const [ports] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error('bench server exited before listening');
    }),
  ])) as [ServerPorts];
  return {
    ports,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
