/** literalFamily remembers the texts it told apart: asked again, or after many others, it answers the same. */
import assert from 'node:assert/strict';
import { literalFamily } from '../src/address.js';

describe('literalFamily', () => {
  const cases: ReadonlyArray<[string, 4 | 6 | undefined]> = [
    ['192.0.2.1', 4],
    ['2001:db8::1', 6],
    ['[2001:db8::1]', 6],
    ['fe80::1%eth0', 6],
    ['printer.local', undefined],
    ['999.0.0.1', undefined],
  ];

  it('tells literals from names, the same the second time', () => {
    for (let round = 0; round < 2; round++)
      for (const [text, family] of cases) assert.equal(literalFamily(text), family, text);
  });

  it('answers the same after more texts than it remembers', () => {
    for (let i = 0; i < 600; i++) literalFamily(`10.0.${i >> 8}.${i & 255}`);
    for (const [text, family] of cases) assert.equal(literalFamily(text), family, text);
    assert.equal(literalFamily('10.0.2.87'), 4);
  });
});
