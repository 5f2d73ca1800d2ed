/**
 * A python-zeroconf peer (Debian's python3-zeroconf) driven by JSON lines:
 * it registers, updates (`update_service`) and unregisters services, with
 * subtypes, and browses, reporting what its own ServiceBrowser sees
 * (Added/Updated/Removed with the TXT from its cache). It sends mDNS: use it
 * only inside a private network namespace.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = String.raw`
import json, socket, sys, threading
from zeroconf import Zeroconf, ServiceInfo, ServiceBrowser, ServiceStateChange, ZeroconfServiceTypes
zc = Zeroconf(interfaces=['127.0.0.1'])
infos = {}
lock = threading.Lock()
def say(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()
def txt_of(info):
    return sorted(k.decode() + ('=' + v.decode() if v is not None else '') for k, v in info.properties.items())
def make(req):
    type_ = req['type']
    name = req['name'] + '.' + type_
    sub = req.get('subtype')
    return ServiceInfo(('%s._sub.%s' % (sub, type_)) if sub else type_, name,
                       addresses=[socket.inet_aton('127.0.0.1')], port=req.get('port', 7000),
                       properties=req.get('txt', {}), server=req.get('server', 'zchost.local.'))
def on_change(zeroconf, service_type, name, state_change):
    txt = None
    if state_change is not ServiceStateChange.Removed:
        info = ServiceInfo(service_type, name)
        if info.load_from_cache(zeroconf):
            txt = txt_of(info)
    say({'event': state_change.name, 'type': service_type, 'name': name, 'txt': txt})
browsers = []
for line in sys.stdin:
    req = json.loads(line)
    op = req['op']
    try:
        if op == 'register':
            info = make(req)
            infos[req['name']] = info
            zc.register_service(info)
        elif op == 'update':
            old = infos[req['name']]
            info = ServiceInfo(old.type, old.name, addresses=old.addresses, port=old.port,
                               properties=req['txt'], server=old.server)
            infos[req['name']] = info
            zc.update_service(info)
        elif op == 'burst':
            # update_service waits for its broadcasts; the async call does not, so the TXT
            # changes as fast as the loop sends: req['count'] changes, req['gap'] s apart.
            import asyncio, time
            old = infos[req['name']]
            for n in range(req['count']):
                info = ServiceInfo(old.type, old.name, addresses=old.addresses, port=old.port,
                                   properties={'n': str(n)}, server=old.server)
                infos[req['name']] = info
                asyncio.run_coroutine_threadsafe(zc.async_update_service(info), zc.loop).result()
                time.sleep(req.get('gap', 0.02))
        elif op == 'unregister':
            zc.unregister_service(infos.pop(req['name']))
        elif op == 'browse':
            browsers.append(ServiceBrowser(zc, req['type'], handlers=[on_change]))
        elif op == 'types':
            say({'id': req['id'], 'types': sorted(ZeroconfServiceTypes.find(zc=zc, timeout=req.get('timeout', 2)))})
            continue
        say({'id': req['id'], 'ok': True})
    except Exception as e:
        say({'id': req['id'], 'ok': False, 'error': repr(e)})
for b in browsers:
    b.cancel()
zc.close()
`;

/** One event of the peer's own ServiceBrowser. */
export interface ZeroconfEvent {
  readonly event: 'Added' | 'Updated' | 'Removed';
  readonly type: string;
  readonly name: string;
  readonly txt: string[] | null;
}

/** A running python-zeroconf peer. */
export class ZeroconfPeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  readonly events: ZeroconfEvent[] = [];
  readonly #watchers = new Set<() => void>();
  #nextId = 1;

  constructor() {
    this.#child = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (d: Buffer) => process.stderr.write(`[zeroconf] ${d}`));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === 'number') {
        this.#waiting.get(message.id)?.(message);
        this.#waiting.delete(message.id);
      } else {
        this.events.push(message as unknown as ZeroconfEvent);
        for (const watcher of this.#watchers) watcher();
      }
    });
  }

  /** Sends a request and waits for its reply. */
  request(op: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, (reply) =>
        reply.ok === false ? reject(new Error(String(reply.error))) : resolve(reply),
      );
      this.#child.stdin.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    });
  }

  /** Waits until an event matches (checks the events seen so far first). */
  waitForEvent(test: (e: ZeroconfEvent) => boolean, timeoutMs = 8000): Promise<ZeroconfEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find(test);
        if (found === undefined) return false;
        this.#watchers.delete(watcher);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const watcher = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(watcher);
        reject(new Error(`no matching zeroconf event; saw ${JSON.stringify(this.events)}`));
      }, timeoutMs);
      this.#watchers.add(watcher);
      check();
    });
  }

  /** Closes the peer (it unregisters its services on the way out). */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end();
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  }
}
