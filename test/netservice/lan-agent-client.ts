/** Drives a test/netservice/lan-agent.ts process: one JSON request per line, one reply each. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The command line that starts an agent (prefix it with the host's nsenter). */
export function agentCommand(hostName?: string): string[] {
  const script = fileURLToPath(new URL('./lan-agent.ts', import.meta.url));
  return [process.execPath, '--import', 'tsx', script, ...(hostName ? [hostName] : [])];
}

/** A reply that failed. */
export class AgentError extends Error {
  readonly code: unknown;
  readonly domain: unknown;
  constructor(message: string, code: unknown, domain: unknown) {
    super(message);
    this.code = code;
    this.domain = domain;
  }
}

/** A running agent. */
export class Agent {
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  readonly #exited: Promise<void>;
  readonly ready: Promise<void>;
  #next = 1;
  #stderr = '';

  constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString();
    });
    let ready!: () => void;
    this.ready = new Promise((resolve) => {
      ready = resolve;
    });
    if (!child.stdout) throw new Error('agent needs a stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => {
      let reply: { id: number; ok: boolean; error?: string; code?: unknown; domain?: unknown };
      try {
        reply = JSON.parse(line);
      } catch {
        return;
      }
      if (reply.id === 0) {
        ready();
        return;
      }
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply as unknown as Record<string, unknown>);
      else waiter.reject(new AgentError(reply.error ?? 'agent error', reply.code, reply.domain));
    });
    child.once('exit', (code) => {
      for (const waiter of this.#pending.values())
        waiter.reject(new Error(`agent exited (${code}): ${this.#stderr}`));
      this.#pending.clear();
    });
  }

  /** Sends one request and waits for its reply. */
  request<T = Record<string, unknown>>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (v: Record<string, unknown>) => void,
        reject,
      });
      this.#child.stdin?.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Asks the agent to withdraw its services and exit; kills it if it does not. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.stdin?.end();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}
