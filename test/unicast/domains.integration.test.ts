/** NetServiceBrowser.domains$ against BIND 9: local., then the b/db/lb._dns-sd._udp answers under a search domain (RFC 6763 §11). */
import assert from 'node:assert/strict';
import { toArray } from 'rxjs';
import { configureUnicastDNS, NetServiceBrowser } from '../../src/index.js';
import { resetUnicastDNS } from '../../src/unicast/config.js';
import { type BindServer, bindUnavailable, startBind } from '../support/bind.js';
import { requirePrivateNetwork } from '../support/private-network.js';

describe('NetServiceBrowser.domains$ against BIND 9 (integration)', function () {
  this.timeout(20000);
  let bind: BindServer;
  before(async () => {
    requirePrivateNetwork();
    assert.equal(bindUnavailable(), undefined);
    bind = await startBind({
      records: [
        'b._dns-sd._udp IN PTR example.test.',
        'db._dns-sd._udp IN PTR example.test.',
        'lb._dns-sd._udp IN PTR Lab.example.test.',
      ],
    });
  });
  after(async () => {
    resetUnicastDNS();
    await bind?.stop();
  });

  it('lists local. first, then each browse domain once; a search domain the server refuses adds nothing', async () => {
    configureUnicastDNS({
      servers: [bind.server],
      searchDomains: ['example.test', 'elsewhere.test'],
    });
    const domains = await new Promise<string[]>((resolve, reject) =>
      new NetServiceBrowser()
        .domains$()
        .pipe(toArray())
        .subscribe({ next: resolve, error: reject }),
    );
    assert.deepEqual(domains, ['local.', 'example.test.', 'Lab.example.test.']);
  });
});
