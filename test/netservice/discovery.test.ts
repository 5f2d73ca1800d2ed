import assert from 'node:assert/strict';
import { NEVER } from 'rxjs';
import {
  findDiscovery,
  registerDiscovery,
  type ServiceDiscovery,
} from '../../src/netservice/discovery.js';

const plain = (): ServiceDiscovery => ({
  resolve: () => Promise.reject(new Error('not here')),
  cached: () => undefined,
  browse: () => NEVER,
  publish: () => ({ registered: Promise.resolve('Plain'), stop: async () => {} }),
});

describe('findDiscovery', () => {
  it('sees a registration made after the same domain was looked up, whatever its case', () => {
    const domain = 'memo-one.test.';
    const before = findDiscovery(domain);
    const first = plain();
    registerDiscovery('Memo-One.Test.', first);
    assert.notEqual(before, first);
    assert.equal(findDiscovery(domain), first, 'the same domain string again');
    assert.equal(findDiscovery('MEMO-ONE.TEST'), first, 'another spelling of it');
    const second = plain();
    registerDiscovery(domain, second);
    assert.equal(findDiscovery(domain), second, 'a replaced registration');
    assert.notEqual(findDiscovery('memo-two.test.'), second, 'another domain');
    assert.equal(findDiscovery(domain), second, 'and back');
  });
});
