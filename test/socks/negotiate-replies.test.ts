/**
 * negotiateSOCKS against a scripted hostile proxy on 127.0.0.1:0: every reply
 * that can go wrong, in SOCKS5 and SOCKS4, and what was sent to the proxy.
 */
import assert from 'node:assert/strict';

import { ErrorDomain } from '../../src/error-codes.js';
import { assertSOCKS, cleanUp, GRANTED4, negotiateThrough, socks5 } from './negotiate-harness.js';
import type { ProxyConnection } from './scripted-proxy.js';

describe('socks/negotiate: replies from a scripted proxy', () => {
  // Inside the suite so that it runs before the root leak check.
  afterEach(cleanUp);

  describe('SOCKS5 method selection', () => {
    it('reports 0xFF as SOCKS5Method NoAcceptableMethod', async () => {
      assertSOCKS(
        await negotiateThrough(socks5(0xff)),
        4,
        0xff,
        /accepts none of the authentication methods/,
      );
    });

    it('reports a method we did not offer as SOCKS5Method with that method', async () => {
      assertSOCKS(
        await negotiateThrough(socks5(0x02)),
        4,
        0x02,
        /username\/password .* not offered/,
      );
      assertSOCKS(
        await negotiateThrough(socks5(0x01), { user: 'u', password: 'p' }),
        4,
        0x01,
        /GSSAPI/,
      );
    });
  });

  describe('wrong version bytes', () => {
    it('in the method selection', async () => {
      assertSOCKS(await negotiateThrough(async (c) => c.write([4, 0])), 1, 4);
    });

    it('in the RFC 1929 status', async () => {
      const run = await negotiateThrough(
        socks5(2, async (c) => c.write([5, 0])),
        { user: 'u', password: 'p' },
      );
      assertSOCKS(run, 1, 5, /username\/password request with version 5, expected 1/);
    });

    it('in the CONNECT reply', async () => {
      const run = await negotiateThrough(socks5(0, async (c) => c.write([4, 0, 0, 1])));
      assertSOCKS(run, 1, 4, /CONNECT request with version 4, expected 5/);
    });

    it('in the SOCKS4 reply', async () => {
      const run = await negotiateThrough(async (c) => c.write([4, 90]), { version: 4 });
      assertSOCKS(run, 1, 4, /expected 0/);
    });
  });

  describe('SOCKS5 replies', () => {
    const codes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0xff];
    for (const code of codes) {
      it(`reports reply code ${code} as SOCKS5Response ${code}`, async () => {
        const run = await negotiateThrough(
          socks5(0, async (c) => {
            await c.readConnect();
            c.end([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
          }),
        );
        assertSOCKS(
          run,
          5,
          code,
          code > 8 ? /unassigned reply code/ : /refused the CONNECT: [a-z]/i,
        );
      });
    }

    it('reports an unknown address type as None/BadResponseAddr', async () => {
      const run = await negotiateThrough(
        socks5(0, async (c) => c.write([5, 0, 0, 9, 1, 2, 3, 4, 0, 0])),
      );
      assertSOCKS(run, 0, 1, /unknown address type 0x09/);
    });

    it('reports a wrong password with the RFC 1929 status, never the credentials', async () => {
      const run = await negotiateThrough(
        socks5(2, async (c) => {
          const { user, password } = await c.readUserPass();
          assert.deepEqual({ user, password }, { user: 'alice', password: 'wrong-secret' });
          c.end([1, 0x01]);
        }),
        { user: 'alice', password: 'wrong-secret' },
      );
      assertSOCKS(run, 3, 1);
      assert.doesNotMatch(run.error?.message ?? '', /alice|wrong-secret/);
    });
  });

  describe('SOCKS4 replies', () => {
    for (const status of [91, 92, 93, 0, 94, 200]) {
      it(`reports status ${status} as SOCKS4Response ${status}`, async () => {
        const run = await negotiateThrough(
          async (c) => {
            await c.readSOCKS4();
            c.end([0, status, 0, 0, 0, 0, 0, 0]);
          },
          { version: 4 },
        );
        assertSOCKS(run, 2, status);
      });
    }

    it('sends the locally resolved IPv4 address (SOCKS4), or the name when the lookup fails (SOCKS4a)', async () => {
      let request: Buffer = Buffer.alloc(0);
      const script = async (c: ProxyConnection): Promise<void> => {
        request = await c.readSOCKS4();
        c.write(GRANTED4);
      };
      const resolved = await negotiateThrough(script, {
        version: 4,
        user: 'bob',
        lookup: async () => ['::1', '10.1.2.3'],
      });
      assert.equal(resolved.error, undefined);
      assert.deepEqual([...request], [4, 1, 0x02, 0x77, 10, 1, 2, 3, ...Buffer.from('bob'), 0]);
      const failing = async (): Promise<string[]> => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND printer.example'), {
          code: 'ENOTFOUND',
        });
      };
      const fallback = await negotiateThrough(script, { version: 4, lookup: failing });
      assert.equal(fallback.error, undefined);
      assert.deepEqual(
        [...request],
        [4, 1, 0x02, 0x77, 0, 0, 0, 1, 0, ...Buffer.from('printer.example'), 0],
      );
    });

    it('refuses an IPv6 destination as NetDB with nothing sent', async () => {
      const run = await negotiateThrough(async () => {}, {
        version: 4,
        destination: { host: '::1', port: 80 },
      });
      assert.equal(run.error?.domain, ErrorDomain.NetDB);
      run.socket.destroy();
      await run.proxy.connections[0]?.closed;
      assert.equal(run.proxy.connections[0]?.received.length, 0);
    });
  });
});
