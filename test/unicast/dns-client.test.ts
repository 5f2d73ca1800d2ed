/**
 * The records of an answer section that answer the question: owned by the
 * name asked (as spelt, or in another case of its ASCII letters: RFC 4343,
 * a server may change it) and of the type asked.
 */
import assert from 'node:assert/strict';
import { type DnsRecord, RRType } from '../../src/dns/wire-types.js';
import { recordsAt } from '../../src/unicast/dns-client.js';

function a(name: string, address: string): DnsRecord {
  return { name, rrclass: 1, cacheFlush: false, ttl: 60, data: { type: 'A', address } };
}

describe('unicast DNS client: recordsAt', () => {
  it('takes the records of the name asked, as spelt or in another ASCII case, and of the type asked', () => {
    const answers: DnsRecord[] = [
      a('host.example.test', '192.0.2.1'),
      a('HOST.Example.test', '192.0.2.2'),
      a('other.example.test', '192.0.2.3'),
      {
        name: 'host.example.test',
        rrclass: 1,
        cacheFlush: false,
        ttl: 60,
        data: { type: 'AAAA', address: '2001:db8::1' },
      },
    ];
    const found = recordsAt(answers, 'host.example.test', RRType.A);
    assert.deepEqual(
      found.map((r) => (r.data.type === 'A' ? r.data.address : '')),
      ['192.0.2.1', '192.0.2.2'],
    );
    // Asked in another case than the records are written in, and with the final dot.
    assert.equal(recordsAt(answers, 'Host.EXAMPLE.test.', RRType.A).length, 2);
    assert.equal(recordsAt(answers, 'host.example.test', RRType.AAAA).length, 1);
    assert.equal(recordsAt(answers, 'nobody.example.test', RRType.A).length, 0);
  });
});
