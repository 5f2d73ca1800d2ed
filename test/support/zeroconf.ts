/** python3-zeroconf (0.47) as a real peer: scripts run in a child process. */
import { type ChildProcess, spawn } from 'node:child_process';

/** python-zeroconf publishing `name` for `_echo._tcp` on 127.0.0.1 at `port`, with TXT k=v. */
export function zeroconfPublisher(name: string, port: number): string {
  return `
import socket, time
from zeroconf import Zeroconf, ServiceInfo
zc = Zeroconf(interfaces=['127.0.0.1'])
info = ServiceInfo('_echo._tcp.local.', ${JSON.stringify(`${name}._echo._tcp.local.`)}, addresses=[socket.inet_aton('127.0.0.1')], port=${port}, properties={'k': 'v'}, server='zchost.local.')
zc.register_service(info)
print('ready', flush=True)
time.sleep(60)
`;
}

/** Starts a python3-zeroconf script and resolves once it printed its first line. */
export async function startPython(script: string): Promise<ChildProcess> {
  const child = spawn('/usr/bin/python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`python3-zeroconf exited ${code}`)));
  });
  return child;
}

/** Stops a child started by startPython. */
export async function stopPython(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
