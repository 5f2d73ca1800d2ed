import assert from 'node:assert/strict';
import { NetServicesError } from '../../src/error-codes.js';
import { resetMdnsEngine } from '../../src/mdns/index.js';
import {
  CFNetServiceCreateDictionaryWithTXTData,
  CFNetServiceCreateTXTDataWithDictionary,
  createDictionaryWithTXTData,
  createTXTDataWithDictionary,
  NetService,
  txtValue,
} from '../../src/netservice/index.js';

describe('TXT records (RFC 6763 §6)', () => {
  it('an empty dictionary is a single zero byte', () => {
    assert.deepEqual(createTXTDataWithDictionary({}), Buffer.from([0]));
    assert.deepEqual(createDictionaryWithTXTData(Buffer.from([0])), {});
  });

  it('round-trips text, binary and boolean values', () => {
    const data = CFNetServiceCreateTXTDataWithDictionary(null, {
      path: '/x',
      bin: Buffer.from([0, 255, 61]),
      flag: true,
      empty: '',
    });
    const dict = CFNetServiceCreateDictionaryWithTXTData(null, data);
    assert.deepEqual(dict, {
      path: Buffer.from('/x'),
      bin: Buffer.from([0, 255, 61]),
      flag: true,
      empty: Buffer.alloc(0),
    });
  });

  it('keeps the first of duplicate keys, compared without case, and skips keyless strings', () => {
    const data = Buffer.from('\x03a=1\x03A=2\x02=x\x04b=ok', 'latin1');
    const dict = createDictionaryWithTXTData(data);
    assert.deepEqual(Object.keys(dict), ['a', 'b']);
    assert.deepEqual(txtValue(dict, 'A'), Buffer.from('1'));
  });

  it('stops at a string that runs past the end', () => {
    assert.deepEqual(
      Object.keys(createDictionaryWithTXTData(Buffer.from('\x03a=1\x09b', 'latin1'))),
      ['a'],
    );
  });

  it('refuses bad keys and strings over 255 bytes with BadArgument', () => {
    const isBad = (e: { code?: number }) => e.code === NetServicesError.BadArgument;
    assert.throws(() => createTXTDataWithDictionary({ 'a=b': '1' }), isBad);
    assert.throws(() => createTXTDataWithDictionary({ '': '1' }), isBad);
    assert.throws(() => createTXTDataWithDictionary({ k: 'v'.repeat(254) }), isBad);
    assert.equal(createTXTDataWithDictionary({ k: 'v'.repeat(253) }).length, 256);
  });

  it('publish refuses a TXT of 100,000 entries before any I/O (over 65,535 bytes)', async () => {
    const txt = Object.fromEntries(
      Array.from({ length: 100_000 }, (_, i) => [`k${i}`, true as const]),
    );
    const s = new NetService('local.', '_echo._tcp', 'Huge');
    await assert.rejects(
      s.publish({ port: 1, txt }),
      (e: { code?: number; message?: string }) =>
        e.code === NetServicesError.BadArgument && /over 65535 bytes/.test(e.message ?? ''),
    );
  });

  it('publish refuses a 9.7 KB TXT: it cannot fit one mDNS packet with its SRV (RFC 6762 §17)', async () => {
    const txt = Object.fromEntries(
      Array.from({ length: 39 }, (_, i) => [`k${i}`, 'v'.repeat(240)]),
    );
    const s = new NetService('local.', '_echo._tcp', 'Big TXT');
    try {
      await assert.rejects(
        s.publish({ port: 1, txt }),
        (e: { code?: number; message?: string }) =>
          e.code === NetServicesError.BadArgument &&
          /does not fit in one mDNS packet/.test(e.message ?? ''),
      );
    } finally {
      resetMdnsEngine();
    }
  });

  it('publish refuses an over-long TXT string before any I/O', async () => {
    const s = new NetService('local.', '_echo._tcp', 'Big');
    await assert.rejects(
      s.publish({ port: 1, txt: { k: 'v'.repeat(300) } }),
      (e: { code?: number }) => e.code === NetServicesError.BadArgument,
    );
  });
});
