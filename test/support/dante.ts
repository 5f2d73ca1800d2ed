/**
 * Starts dante-server (Debian package `dante-server`, /usr/sbin/danted) on
 * 127.0.0.1 on a free port for tests, with or without username/password
 * authentication, and stops it.
 *
 * dante's username method checks system accounts (getpwnam + shadow), so the
 * authenticating server runs inside a private mount namespace
 * (`unshare --mount`, private propagation) where a test passwd and shadow
 * holding one account are bind-mounted over /etc/passwd and /etc/shadow; the
 * host's files are never touched. Everything else (config, pid file, account
 * files) lives in a temporary directory removed by `stop()`. Needs root
 * (mount, and dante's switch between privileged and unprivileged users);
 * {@link danteUnavailable} says why it cannot run instead of failing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The account the authenticating server accepts. */
export const DANTE_USER = 'cfsocks';
/** Its password; DANTE_PASSWORD_HASH is `openssl passwd -6 -salt cfstreamtest` of it. */
export const DANTE_PASSWORD = 'socks-test-password';
const DANTE_PASSWORD_HASH =
  '$6$cfstreamtest$XqX/bN9ifMkmt/FvcGHVnTotJqoG3ysHGtf.mkRrvW/3OU/7FR7TtDQioZcSW9pxsV07fjH2W/foSjR99oIch0';

const DANTED = process.env.DANTED ?? '/usr/sbin/danted';
const START_TIMEOUT_MS = 5000;

/** A running dante-server. */
export interface DanteServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** True when the server requires username/password (RFC 1929). */
  readonly auth: boolean;
  /** dante's log (stderr) so far, for failure messages. */
  log(): string;
  /** Stops the server and removes its temporary directory. */
  stop(): Promise<void>;
}

/** Why dante cannot be started here, or undefined when it can. */
export function danteUnavailable(): string | undefined {
  if (!existsSync(DANTED))
    return `${DANTED} not found: apt-get install dante-server (or set DANTED)`;
  if (process.getuid?.() !== 0)
    return 'dante tests need root (unshare --mount and dante user switching)';
  const probe = spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0)
    return 'unshare --mount failed (util-linux missing?)';
  return undefined;
}

/**
 * Starts dante on 127.0.0.1 on a free port; CONNECT to 127.0.0.0/8 only.
 * `logConnects: false` keeps each CONNECT out of the log (a soak makes
 * thousands; the log is held in memory).
 */
export async function startDante(options: {
  readonly auth: boolean;
  readonly logConnects?: boolean;
}): Promise<DanteServer> {
  const reason = danteUnavailable();
  if (reason !== undefined) throw new Error(reason);
  const dir = await mkdtemp(join(tmpdir(), 'cfsocketstream-dante-'));
  let lastError: unknown;
  try {
    // The port is free when chosen but another process may take it before dante binds: retry.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return await launch(dir, await freePort(), options.auth, options.logConnects ?? true);
      } catch (error) {
        lastError = error;
      }
    }
  } catch (error) {
    lastError = error;
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function launch(
  dir: string,
  port: number,
  auth: boolean,
  logConnects: boolean,
): Promise<DanteServer> {
  const config = join(dir, 'danted.conf');
  await writeFile(config, danteConfig(port, auth, logConnects));
  const pidFile = join(dir, 'danted.pid');
  let child: ChildProcess;
  if (auth) {
    await writeFile(join(dir, 'passwd'), testPasswd());
    await writeFile(join(dir, 'shadow'), testShadow(), { mode: 0o600 });
    // exec: the child's pid is dante's own, so a signal reaches it directly.
    const script =
      'set -e; mount --bind "$1/passwd" /etc/passwd; mount --bind "$1/shadow" /etc/shadow; exec "$2" -f "$1/danted.conf" -p "$1/danted.pid"';
    child = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, DANTED],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } else {
    child = spawn(DANTED, ['-f', config, '-p', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log += text;
  });
  // 'close' comes after the process has exited and its stderr pipe has closed.
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 2000);
      await closed;
      clearTimeout(forced);
    }
    await closed;
  };
  try {
    await waitUntilListening(port, child, () => log);
  } catch (error) {
    await kill();
    throw error;
  }
  const stop = async (): Promise<void> => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  return { host: '127.0.0.1', port, auth, log: () => log, stop };
}

function danteConfig(port: number, auth: boolean, logConnects: boolean): string {
  return [
    'logoutput: stderr',
    `internal: 127.0.0.1 port = ${port}`,
    'external: 127.0.0.1',
    'clientmethod: none',
    `socksmethod: ${auth ? 'username' : 'none'}`,
    'user.privileged: root',
    'user.unprivileged: nobody',
    'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
    // Logging each connect lets a test prove its traffic went through the proxy.
    `socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8${logConnects ? ' log: connect' : ''}\n  command: connect }`,
    '',
  ].join('\n');
}

/** The accounts dante needs: root (privileged), nobody (unprivileged) and the test user. */
function testPasswd(): string {
  return [
    'root:x:0:0:root:/root:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    `${DANTE_USER}:x:64999:64999:cfsocketstream test:/nonexistent:/usr/sbin/nologin`,
    '',
  ].join('\n');
}

function testShadow(): string {
  return [
    'root:*:19000:0:99999:7:::',
    'nobody:*:19000:0:99999:7:::',
    `${DANTE_USER}:${DANTE_PASSWORD_HASH}:19000:0:99999:7:::`,
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls a TCP connect until dante accepts, or fails with its log if it exits or takes too long. */
async function waitUntilListening(
  port: number,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `danted exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`,
      );
    }
    if (await canConnect(port)) return;
    await sleep(25);
  }
  throw new Error(
    `danted did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${log()}`,
  );
}

async function canConnect(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
