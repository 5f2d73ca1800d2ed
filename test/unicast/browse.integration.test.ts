/**
 * Browsing a unicast DNS zone served by a real BIND 9: instances with spaces
 * and UTF-8 are found, a deletion and an addition made with nsupdate while
 * the browse runs are reported (the SOA serial moved), a subtype works, and
 * a browse of a zone the server refuses errors with REFUSED.
 * Run: node scripts/in-private-network.mjs npx mocha <this file>.
 */
import assert from 'node:assert/strict';
import type { Subscription } from 'rxjs';
import { type BrowseEvent, configureUnicastDNS, NetServiceBrowser } from '../../src/index.js';
import { resetUnicastDNS } from '../../src/unicast/config.js';
import { type BindServer, bindUnavailable, startBind, zoneFileName } from '../support/bind.js';
import { requirePrivateNetwork } from '../support/private-network.js';

const KITCHEN = 'Kitchen Printer ü';

/** Collects a browse's events and waits for the one wanted. */
function watch(
  type: string,
  domain: string,
): {
  events: string[];
  until(event: string): Promise<void>;
  error: Promise<unknown>;
  subscription: Subscription;
} {
  const events: string[] = [];
  const waiters: { event: string; resolve: () => void }[] = [];
  let fail: (e: unknown) => void = () => {};
  const error = new Promise<unknown>((resolve) => {
    fail = resolve;
  });
  const subscription = NetServiceBrowser.browse$(type, domain).subscribe({
    next: (e: BrowseEvent) => {
      const text = `${e.kind} ${e.service.name}`;
      events.push(text);
      for (const w of waiters.filter((w) => w.event === text)) w.resolve();
    },
    error: (e: unknown) => fail(e),
  });
  return {
    events,
    error,
    subscription,
    until: (event) =>
      events.includes(event)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ event, resolve })),
  };
}

describe('unicast DNS-SD browse against BIND 9 (integration)', function () {
  this.timeout(30000);
  let bind: BindServer;
  const kitchen = zoneFileName(`${KITCHEN}._ipp._tcp`);

  beforeEach(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    bind = await startBind({
      records: [
        'host IN A 127.0.0.1',
        `_ipp._tcp IN PTR ${kitchen}`,
        '_ipp._tcp IN PTR Office._ipp._tcp',
        `_color._sub._ipp._tcp IN PTR ${kitchen}`,
        `${kitchen} IN SRV 0 0 631 host`,
        'Office._ipp._tcp IN SRV 0 0 631 host',
      ],
    });
    // A long TTL: only the serial watch can explain seeing the change within the test.
    configureUnicastDNS({
      servers: [bind.server],
      timings: { serialPollMs: 100, queryTimeoutMs: 1000 },
    });
  });
  afterEach(async () => {
    resetUnicastDNS();
    await bind?.stop();
  });

  it('finds the instances, then sees a deletion and an addition made with nsupdate', async () => {
    const browse = watch('_ipp._tcp', 'example.test.');
    try {
      await browse.until(`found ${KITCHEN}`);
      await browse.until('found Office');
      await bind.nsupdate([
        'update delete _ipp._tcp.example.test. PTR Office._ipp._tcp.example.test.',
        'update delete Office._ipp._tcp.example.test. SRV',
      ]);
      await browse.until('removed Office');
      await bind.nsupdate([
        'update add _ipp._tcp.example.test. 60 PTR Lab._ipp._tcp.example.test.',
      ]);
      await browse.until('found Lab');
      assert.deepEqual([...browse.events].sort(), [
        'found Kitchen Printer ü',
        'found Lab',
        'found Office',
        'removed Office',
      ]);
    } finally {
      browse.subscription.unsubscribe();
    }
  });

  it('browses a subtype (RFC 6763 §7.1)', async () => {
    const browse = watch('_color._sub._ipp._tcp', 'example.test.');
    try {
      await browse.until(`found ${KITCHEN}`);
      assert.deepEqual(browse.events, [`found ${KITCHEN}`]);
    } finally {
      browse.subscription.unsubscribe();
    }
  });

  it('errors with REFUSED for a domain the server does not serve', async () => {
    const browse = watch('_ipp._tcp', 'elsewhere.test.');
    try {
      const error = (await browse.error) as Error;
      assert.match(error.message, /REFUSED/);
    } finally {
      browse.subscription.unsubscribe();
    }
  });
});
