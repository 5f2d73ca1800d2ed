/**
 * Several hosts on one private Ethernet segment, for multi-host mDNS tests
 * (IPv6 multicast does not work on loopback, so ff02::fb needs real links).
 *
 * Must run inside the already-private namespace of
 * scripts/in-private-network.mjs, and refuses otherwise: the bridge (the
 * "switch") lives in that namespace, and each host is an anonymous network
 * namespace held open by a small `unshare --net` process whose veth peer
 * sits on that bridge. Nothing touches the machine's real interfaces and
 * nothing is named globally (no /run/netns entries): when the holder exits
 * (on close(), or when the test process dies and its stdin pipe closes) its
 * namespace and veth vanish with it.
 *
 * Host i gets 10.77.0.i/24 (IPv4) and/or fd77::i/64 plus a link-local
 * address (IPv6), DAD off so addresses are usable at once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Which families a host has on its segment interface. */
export interface HostSpec {
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

/** One host of the segment. */
export interface SegmentHost {
  readonly index: number;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  /** The host's link-local IPv6 address (without scope), when it has IPv6. */
  readonly linkLocal: string | undefined;
  /** Starts `argv` inside the host's network namespace (stdio piped), killed by close(). */
  spawn(argv: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
}

/** A private segment. */
export interface Segment {
  readonly hosts: readonly SegmentHost[];
  /** The segment's interface name inside each host. */
  readonly interfaceName: string;
  /** Kills what runs on the hosts and removes the namespaces, veths and the bridge. */
  close(): Promise<void>;
}

const IFACE = 'eth0';

function run(argv: readonly string[]): string {
  const [cmd, ...args] = argv;
  const result = spawnSync(cmd as string, args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`private-segment: \`${argv.join(' ')}\` failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * Throws unless this process is in a network namespace of its own: the
 * wrapper's marker is set and the namespace has no interface but loopback
 * (and segments made here, named with `tag`). The machine's namespace always
 * has more, so nothing here can be wired to the real network.
 */
export function assertPrivateNamespace(tag: string): void {
  if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1')
    throw new Error('private-segment: run inside scripts/in-private-network.mjs');
  const names = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((n) => n !== '' && n !== 'lo' && !n.startsWith(tag));
  if (names.length > 0)
    throw new Error(
      `private-segment: this namespace has other interfaces (${names.join(', ')}); refusing`,
    );
}

/** Creates the segment. `tag` (a few letters) keeps interface names unique per caller. */
export async function createSegment(specs: readonly HostSpec[], tag = 'cs'): Promise<Segment> {
  assertPrivateNamespace(tag);
  const bridge = `${tag}br${process.pid % 100000}`.slice(0, 15);
  const holders: ChildProcess[] = [];
  const children = new Set<ChildProcess>();
  const hosts: SegmentHost[] = [];
  const peers: string[] = [];
  const close = async (): Promise<void> => {
    const exits = [...children, ...holders]
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const child of children) child.kill('SIGKILL');
    for (const holder of holders) holder.stdin?.end();
    await Promise.all(exits);
    // A dying namespace takes its veth pairs along only later (the kernel cleans namespaces up
    // asynchronously): delete our ends now, so the next test's engine does not find them.
    for (const peer of peers) spawnSync('ip', ['link', 'del', peer], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  };
  try {
    run(['ip', 'link', 'add', bridge, 'type', 'bridge', 'mcast_snooping', '0']);
    run(['ip', 'link', 'set', bridge, 'up']);
    for (const [i, spec] of specs.entries()) {
      const index = i + 1;
      // The holder exits when its stdin closes, taking its namespace with it.
      const holder = spawn('unshare', ['--net', 'sh', '-c', 'echo up; exec cat >/dev/null'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      holders.push(holder);
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`namespace holder exited ${code}`)));
      });
      const pid = String(holder.pid);
      const inHost = (argv: string[]): string =>
        run(['nsenter', `--net=/proc/${pid}/ns/net`, ...argv]);
      inHost([
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
        `net.ipv6.conf.default.disable_ipv6=${spec.ipv6 ? 0 : 1}`,
      ]);
      const peer = `${tag}v${process.pid % 10000}h${index}`.slice(0, 15);
      run(['ip', 'link', 'add', peer, 'type', 'veth', 'peer', 'name', IFACE, 'netns', pid]);
      peers.push(peer);
      run(['ip', 'link', 'set', peer, 'master', bridge, 'up']);
      inHost(['ip', 'link', 'set', 'lo', 'up']);
      const ipv4 = spec.ipv4 ? `10.77.0.${index}` : undefined;
      const ipv6 = spec.ipv6 ? `fd77::${index}` : undefined;
      if (ipv4) inHost(['ip', 'addr', 'add', `${ipv4}/24`, 'dev', IFACE]);
      if (ipv6) inHost(['ip', 'addr', 'add', `${ipv6}/64`, 'dev', IFACE, 'nodad']);
      inHost(['ip', 'link', 'set', IFACE, 'up']);
      if (ipv4) inHost(['ip', 'route', 'add', '224.0.0.0/4', 'dev', IFACE]);
      let linkLocal: string | undefined;
      if (spec.ipv6) {
        const deadline = Date.now() + 3000;
        while (linkLocal === undefined) {
          const out = inHost(['ip', '-6', '-o', 'addr', 'show', 'dev', IFACE, 'scope', 'link']);
          if (!out.includes('tentative')) linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec(out)?.[1];
          if (linkLocal === undefined) {
            if (Date.now() > deadline) throw new Error(`no link-local address on host ${index}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }
      hosts.push({
        index,
        ipv4,
        ipv6,
        linkLocal,
        spawn(argv, env) {
          const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', ...argv], {
            stdio: ['pipe', 'pipe', 'pipe'],
            env: env ?? process.env,
          });
          children.add(child);
          child.once('exit', () => children.delete(child));
          return child;
        },
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { hosts, interfaceName: IFACE, close };
}
