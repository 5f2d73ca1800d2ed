import assert from 'node:assert/strict';
import { nameKey, sameName } from '../../src/mdns/index.js';

describe('mdns names: comparison keys (RFC 6762 §16)', () => {
  it('folds ASCII letters and drops the final dot', () => {
    assert.equal(nameKey('My Echo._Echo._TCP.Local.'), 'my echo._echo._tcp.local');
    assert.ok(sameName('Printer.local.', 'PRINTER.LOCAL'));
  });

  it('keeps an escaped final dot, which is part of the last label', () => {
    assert.equal(nameKey('A\\.'), 'a\\.');
    assert.ok(!sameName('a\\.', 'a'));
  });

  it('folds only the ASCII letters of a name with non-ASCII ones', () => {
    // "É" and "Ä" must stay as they are: §16 compares non-ASCII octets exactly.
    assert.equal(nameKey('CAFÉ Äpfel.Local.'), 'cafÉ Äpfel.local');
    assert.ok(!sameName('café.local', 'CAFÉ.local'));
    assert.ok(sameName('café.local', 'CAFé.local'));
  });
});
