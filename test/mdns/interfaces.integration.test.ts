/**
 * RFC 6762 §13 on real links: a link that comes up while the engine runs is
 * joined (the kernel's group table shows it), and one that goes away is left.
 * The link is a veth pair made inside the private namespace, so nothing here
 * can reach the real network.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getMdnsEngine, resetMdnsEngine } from '../../src/mdns/index.js';
import { requirePrivateNetwork } from '../support/private-network.js';

const LINK = 'cfv0';
const PEER = 'cfv1';
const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'ignore' });
};

/** True when /proc/net/igmp lists 224.0.0.251 on `link` (groups are printed in host byte order). */
function joinedOn(link: string): boolean {
  let current = '';
  for (const line of readFileSync('/proc/net/igmp', 'utf8').split('\n')) {
    const device = /^\d+\s+(\S+)\s*:/.exec(line);
    if (device) current = device[1] ?? '';
    else if (current === link && /\b(FB0000E0|E00000FB)\b/.test(line)) return true;
  }
  return false;
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mdns interfaces that come and go (integration, RFC 6762 §13)', function () {
  this.timeout(20_000);
  before(requirePrivateNetwork);
  afterEach(() => {
    try {
      ip('link', 'del', LINK);
    } catch {
      // already gone
    }
    resetMdnsEngine();
  });

  it('joins the group on a link that comes up, and leaves it when it goes', async () => {
    resetMdnsEngine({ timings: { interfaceCheckInterval: 100 } });
    const engine = getMdnsEngine();
    await engine.ready();
    const names = (): string[] => engine.interfaces().map((i) => i.name);
    assert.deepEqual(names(), ['lo']);
    ip('link', 'add', LINK, 'type', 'veth', 'peer', 'name', PEER);
    ip('addr', 'add', '10.77.0.1/24', 'dev', LINK);
    ip('link', 'set', LINK, 'up');
    ip('link', 'set', PEER, 'up');
    await waitFor(`the engine uses ${LINK}`, () => names().includes(LINK));
    await waitFor(`224.0.0.251 is joined on ${LINK}`, () => joinedOn(LINK));
    ip('link', 'del', LINK);
    await waitFor(`the engine is back on lo alone`, () => names().join() === 'lo');
    assert.ok(joinedOn('lo'), '224.0.0.251 is joined on lo again');
  });
});
