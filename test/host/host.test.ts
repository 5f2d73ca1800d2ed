import assert from 'node:assert/strict';
import { firstValueFrom } from 'rxjs';
import { ErrorDomain } from '../../src/error-codes.js';
import type { StreamError } from '../../src/errors.js';
import { Host } from '../../src/host/host.js';
import {
  isLocalName,
  registerLocalNameResolver,
  resolverFor,
} from '../../src/host/host-resolver.js';
import { lookupWithSystemResolver } from '../../src/host/system-resolver.js';

describe('Host', () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it('takes literal addresses without a lookup', async () => {
    const v4 = Host.withAddress('192.0.2.7');
    assert.deepEqual(v4.addresses, [{ address: '192.0.2.7', family: 4 }]);
    assert.equal(v4.name, undefined);
    const v6 = Host.withName('[fe80::1%lo]');
    assert.deepEqual(v6.addresses, [{ address: 'fe80::1%lo', family: 6 }]);
    assert.deepEqual(await firstValueFrom(v6.resolve$()), [{ address: 'fe80::1%lo', family: 6 }]);
  });

  it('resolves names through the system resolver, every address', async () => {
    const host = Host.withName('localhost');
    assert.equal(host.addresses, undefined);
    const addresses = await firstValueFrom(host.resolve$('addresses'));
    assert.ok(addresses.some((a) => a.address === '127.0.0.1' && a.family === 4));
    assert.deepEqual(host.addresses, addresses);
    assert.deepEqual(host.names, ['localhost']);
  });

  it('reverse-resolves an address to names', async () => {
    const names = await firstValueFrom(Host.withAddress('127.0.0.1').resolve$('names'));
    assert.ok(names.length > 0);
    assert.ok(names.every((n) => typeof n === 'string' && n !== '127.0.0.1'));
  });

  it('sends .local names to the local resolver, and shares one lookup among callers', async () => {
    let calls = 0;
    restore = registerLocalNameResolver(async (name) => {
      calls++;
      assert.equal(name, 'printer.local');
      await new Promise((resolve) => setTimeout(resolve, 10));
      return [{ address: '127.0.0.1', family: 4 }];
    });
    assert.equal(isLocalName('printer.local'), true);
    assert.equal(isLocalName('printer.local.'), true);
    assert.equal(isLocalName('printer.localdomain'), false);
    assert.equal(resolverFor('example.com'), lookupWithSystemResolver);
    const host = Host.withName('printer.local');
    const signal = new AbortController().signal;
    const results = await Promise.all([
      host.resolveAddresses(signal),
      host.resolveAddresses(signal),
      host.resolveAddresses(signal),
    ]);
    assert.equal(calls, 1);
    for (const result of results) assert.deepEqual(result, [{ address: '127.0.0.1', family: 4 }]);
  });

  it('abandons a shared lookup only when every caller aborted', async () => {
    let aborted = false;
    restore = registerLocalNameResolver(
      (_name, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve([{ address: '127.0.0.1', family: 4 }]), 30);
          signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(timer);
            reject(signal.reason);
          });
        }),
    );
    const host = Host.withName('box.local');
    const first = new AbortController();
    const second = new AbortController();
    const a = host.resolveAddresses(first.signal);
    const b = host.resolveAddresses(second.signal);
    first.abort(new Error('first gave up'));
    await assert.rejects(a, /first gave up/);
    assert.equal(aborted, false);
    assert.deepEqual(await b, [{ address: '127.0.0.1', family: 4 }]);
  });

  it('reports a resolver failure as a StreamError', async () => {
    restore = registerLocalNameResolver(async () => []);
    const error = await firstValueFrom(Host.withName('gone.local').resolve$()).catch(
      (e: StreamError) => e,
    );
    assert.equal((error as StreamError).domain, ErrorDomain.NetDB);
  });

  it('refuses bad names', () => {
    assert.throws(() => Host.withName(undefined as unknown as string), TypeError);
    assert.throws(() => Host.withName('   '), TypeError);
    assert.throws(() => Host.withName('a'.repeat(300)), RangeError);
    assert.throws(() => Host.withAddress('999.1.1.1'), TypeError);
  });
});
