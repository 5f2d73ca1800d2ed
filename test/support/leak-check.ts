/**
 * Root hooks: every test must leave no socket, server or timer behind. Counts
 * Node's active resources before and after each test; what the test added
 * must be gone within a short grace period (closing a socket takes a turn or
 * two of the event loop), or the test fails naming what leaked.
 */
const WATCHED = new Set([
  'TCPSocketWrap',
  'TCPServerWrap',
  'UDPWrap',
  'PipeWrap',
  'Timeout',
  'Immediate',
  'ProcessWrap',
]);
const GRACE_MS = 1000;

function counts(): Map<string, number> {
  const map = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) map.set(kind, (map.get(kind) ?? 0) + 1);
  }
  return map;
}

function leaked(before: Map<string, number>): string[] {
  const now = counts();
  const extra: string[] = [];
  for (const [kind, n] of now) {
    // Mocha's own timeout timer for the hook that runs this check is one Timeout.
    const allowed = (before.get(kind) ?? 0) + (kind === 'Timeout' ? 1 : 0);
    if (n > allowed) extra.push(`${n - allowed} ${kind}`);
  }
  return extra;
}

let before = new Map<string, number>();

export const mochaHooks = {
  beforeEach(): void {
    before = counts();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    if (this.currentTest?.state === 'failed') return;
    const deadline = Date.now() + GRACE_MS;
    let extra = leaked(before);
    while (extra.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 10));
      extra = leaked(before);
    }
    if (extra.length > 0) throw new Error(`test left resources behind: ${extra.join(', ')}`);
  },
};
