/**
 * A listening port on 127.0.0.1 whose accept queue is full, so a new connect()
 * stays pending (the kernel drops its SYN): the way to hold a connection
 * attempt open on loopback. A real socket, made by python3 (Node cannot
 * listen without accepting).
 */
import { type ChildProcess, spawn } from 'node:child_process';

const SCRIPT = `
import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
print(port, flush=True)
sys.stdin.read()
`;

/** Starts the stalled listener; `close()` stops it. */
export async function startStalledListener(): Promise<{ port: number; close(): Promise<void> }> {
  const child: ChildProcess = spawn('python3', ['-c', SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => resolve(Number.parseInt(data.toString(), 10)));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin?.end();
      }),
  };
}
