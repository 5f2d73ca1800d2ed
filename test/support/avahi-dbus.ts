/**
 * A real avahi-daemon with its D-Bus API, for the live Bonjour interop tests:
 * a private dbus-daemon (its own socket, a policy that lets root do anything)
 * stands in for the system bus, avahi-daemon runs in a private mount
 * namespace as in avahi.ts, and a python3-dbus driver (Debian's python3-dbus
 * at /usr/bin/python3) publishes through EntryGroup: AddService,
 * AddServiceSubtype, UpdateServiceTxt. `avahi-browse` and friends reach the
 * same bus through DBUS_SYSTEM_BUS_ADDRESS (`env`). Needs avahi-daemon,
 * avahi-utils, dbus and python3-dbus, and root in a private network namespace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BUS_CONFIG = (
  socket: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;

const DRIVER = `
import json, sys, dbus
bus = dbus.SystemBus()
server = dbus.Interface(bus.get_object('org.freedesktop.Avahi', '/'), 'org.freedesktop.Avahi.Server')
groups = {}
def txt(entries):
    return dbus.Array([dbus.ByteArray(e.encode()) for e in entries], signature='ay')
for line in sys.stdin:
    req = json.loads(line)
    try:
        op = req['op']
        if op == 'publish':
            group = dbus.Interface(bus.get_object('org.freedesktop.Avahi', server.EntryGroupNew()),
                                   'org.freedesktop.Avahi.EntryGroup')
            # interface -1 and protocol -1: every interface, both families; flags 0.
            group.AddService(-1, -1, dbus.UInt32(0), req['name'], req['type'], 'local', '',
                             dbus.UInt16(req['port']), txt(req.get('txt', [])))
            for sub in req.get('subtypes', []):
                group.AddServiceSubtype(-1, -1, dbus.UInt32(0), req['name'], req['type'], 'local',
                                        '%s._sub.%s' % (sub, req['type']))
            group.Commit()
            groups[req['name']] = (group, req['type'])
        elif op == 'update':
            group, type_ = groups[req['name']]
            group.UpdateServiceTxt(-1, -1, dbus.UInt32(0), req['name'], type_, 'local', txt(req['txt']))
        elif op == 'remove':
            group, _ = groups.pop(req['name'])
            group.Free()
        print(json.dumps({'id': req['id'], 'ok': True}), flush=True)
    except Exception as e:
        print(json.dumps({'id': req['id'], 'ok': False, 'error': repr(e)}), flush=True)
`;

/** A running avahi-daemon with a D-Bus API of its own. */
export interface AvahiBus {
  /** The environment that points avahi's clients (avahi-browse, python3-dbus) at its bus. */
  readonly env: NodeJS.ProcessEnv;
  /** Publishes, updates the TXT of, or removes a service through EntryGroup. */
  request(op: 'publish' | 'update' | 'remove', fields: Record<string, unknown>): Promise<void>;
  /** avahi-daemon's output so far. */
  log(): string;
  stop(): Promise<void>;
}

const exitOf = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

async function waitFor(test: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a private bus, avahi-daemon on it (host name `hostName`), and the python driver. */
export async function startAvahiBus(hostName = 'avahibus'): Promise<AvahiBus> {
  const dir = mkdtempSync(join(tmpdir(), 'cfstream-avahi-bus-'));
  const socket = join(dir, 'bus');
  const services = join(dir, 'services');
  mkdirSync(services);
  writeFileSync(join(dir, 'bus.conf'), BUS_CONFIG(socket));
  writeFileSync(
    join(dir, 'avahi-daemon.conf'),
    [
      '[server]',
      `host-name=${hostName}`,
      'use-ipv4=yes',
      'use-ipv6=yes',
      'enable-dbus=yes',
      '[publish]',
      'publish-hinfo=no',
      'publish-workstation=no',
      '[wide-area]',
      'enable-wide-area=no',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` };
  const children: ChildProcess[] = [];
  let output = '';
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitOf(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bus = spawn(
      'dbus-daemon',
      ['--config-file', join(dir, 'bus.conf'), '--nofork', '--nopidfile'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(bus);
    bus.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => existsSync(socket), 'the private D-Bus socket');
    const script = `mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && mount --bind "$1" /etc/avahi/services && exec avahi-daemon --no-chroot --no-drop-root --no-rlimits -f "$2"`;
    const avahi = spawn(
      'unshare',
      ['--mount', 'sh', '-c', script, 'sh', services, join(dir, 'avahi-daemon.conf')],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    children.push(avahi);
    avahi.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    avahi.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      () => /Server startup complete/.test(output) || avahi.exitCode !== null,
      'avahi-daemon to start',
    );
    if (avahi.exitCode !== null) throw new Error(`avahi-daemon exited:\n${output}`);
    const driver = spawn('/usr/bin/python3', ['-c', DRIVER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
    });
    children.push(driver);
    driver.stderr?.on('data', (d: Buffer) => (output += `[driver] ${d}`));
    const waiting = new Map<number, (reply: { ok: boolean; error?: string }) => void>();
    createInterface({ input: driver.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; ok: boolean; error?: string };
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
    let nextId = 1;
    return {
      env,
      log: () => output,
      request(op, fields) {
        const id = nextId++;
        return new Promise((resolve, reject) => {
          waiting.set(id, (reply) =>
            reply.ok ? resolve() : reject(new Error(`avahi ${op}: ${reply.error}\n${output}`)),
          );
          driver.stdin?.write(`${JSON.stringify({ id, op, ...fields })}\n`);
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
