/**
 * Starts a real avahi-daemon for interop tests, without D-Bus and with our
 * own service files: avahi has no option for another services folder, so it
 * runs in a private mount namespace (`unshare --mount`) with the folder
 * bind-mounted over /etc/avahi/services. Needs `apt-get install avahi-daemon`
 * and root in the (private) network namespace the tests run in.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One static service for avahi to publish. */
export interface AvahiService {
  readonly name: string;
  readonly type: string;
  readonly port: number;
  readonly txt?: readonly string[];
}

/** A running avahi-daemon. */
export interface Avahi {
  /** Everything avahi wrote to stdout and stderr so far. */
  log(): string;
  /** Waits until its log matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** True when avahi-daemon is installed. */
export function avahiAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v avahi-daemon'], { stdio: 'ignore' }).status === 0;
}

/** Starts avahi-daemon publishing `services` under host name `hostName` on the interfaces given. */
export async function startAvahi(options: {
  services: readonly AvahiService[];
  hostName?: string;
  interfaces?: string;
}): Promise<Avahi> {
  const dir = mkdtempSync(join(tmpdir(), 'cfstream-avahi-'));
  const services = join(dir, 'services');
  spawnSync('mkdir', ['-p', services]);
  writeFileSync(
    join(dir, 'avahi-daemon.conf'),
    [
      '[server]',
      `host-name=${options.hostName ?? 'avahihost'}`,
      'use-ipv4=yes',
      'use-ipv6=yes',
      'enable-dbus=no',
      ...(options.interfaces ? [`allow-interfaces=${options.interfaces}`] : []),
      '[publish]',
      'publish-hinfo=no',
      'publish-workstation=no',
      '[wide-area]',
      'enable-wide-area=no',
      '',
    ].join('\n'),
  );
  options.services.forEach((s, i) => {
    const txt = (s.txt ?? []).map((t) => `<txt-record>${escapeXml(t)}</txt-record>`).join('');
    writeFileSync(
      join(services, `s${i}.service`),
      `<?xml version="1.0" standalone='no'?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n<service-group><name>${escapeXml(s.name)}</name><service><type>${escapeXml(s.type)}</type><port>${s.port}</port>${txt}</service></service-group>\n`,
    );
  });
  // A private /run/avahi-daemon too: its PID file there would otherwise collide with a system
  // avahi-daemon, or another test's, and avahi refuses to start ("Daemon already running").
  const script = `mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && mount --bind "$1" /etc/avahi/services && exec avahi-daemon --no-chroot --no-drop-root --no-rlimits -f "$2"`;
  const child: ChildProcess = spawn(
    'unshare',
    ['--mount', 'sh', '-c', script, 'sh', services, join(dir, 'avahi-daemon.conf')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitForLog = async (pattern: RegExp, timeoutMs = 5000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`avahi-daemon: no ${pattern} in its log:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitForLog(/Server startup complete/);
  return {
    log: () => output,
    waitForLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
