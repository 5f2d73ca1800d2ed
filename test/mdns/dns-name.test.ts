import assert from 'node:assert/strict';
import { NameWriter, readName } from '../../src/mdns/dns-name.js';
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

describe('mdns names: labels on the wire', () => {
  it('keeps a label that begins with U+FEFF (a byte-order mark is text, not a marker, in a label)', () => {
    const writer = new NameWriter();
    const bytes = writer.encode('\uFEFFMy Echo._http._tcp.local', 0);
    const { name } = readName(bytes, 0);
    assert.equal(name, '\uFEFFMy Echo._http._tcp.local');
    const alone = Buffer.from([3, 0xef, 0xbb, 0xbf, 5, ...Buffer.from('local'), 0]);
    assert.equal(readName(alone, 0).name, '\uFEFF.local');
  });
});
