import assert from 'node:assert/strict';
import { NameError, NameWriter, readName, splitName } from '../../src/dns/dns-name.js';
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

describe('mdns names: writing the same names again (RFC 1035 §4.1.4)', () => {
  it('plain names split as escaped ones do, with the same errors', () => {
    assert.deepEqual(splitName(''), []);
    assert.deepEqual(splitName('a.b.'), ['a', 'b']);
    assert.deepEqual(splitName('a\\.b.c'), ['a.b', 'c']);
    assert.deepEqual(splitName('\u00e9t\u00e9.local'), ['\u00e9t\u00e9', 'local']);
    // The final dot may follow an empty label (the escaped path always allowed it).
    assert.deepEqual(splitName('a.b..'), ['a', 'b']);
    assert.deepEqual(splitName('a\\.b..'), ['a.b']);
    for (const bad of ['.', '..', '.a', 'a..b', 'a...', 'a\\....'])
      assert.throws(() => splitName(bad), NameError, JSON.stringify(bad));
  });

  it('compresses against earlier names in any letter case, each message on its own', () => {
    for (let round = 0; round < 2; round++) {
      const writer = new NameWriter();
      const first = writer.encode('Host.Local', 12);
      assert.deepEqual([...first], [4, ...Buffer.from('Host'), 5, ...Buffer.from('Local'), 0]);
      // "x.host.local" points at offset 12; "other.LOCAL" at "local" (offset 17).
      assert.deepEqual([...writer.encode('x.host.local', 40)], [1, 0x78, 0xc0, 12]);
      assert.deepEqual(
        [...writer.encode('other.LOCAL', 60)],
        [5, ...Buffer.from('other'), 0xc0, 17],
      );
      // Without compression, the whole name, as given.
      assert.equal(writer.encode('Host.Local', 80, false).length, first.length);
    }
  });

  it('refuses a name with an empty or too long label, every time', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => new NameWriter().encode(`${'a'.repeat(64)}.local`, 0), NameError);
      assert.throws(() => new NameWriter().encode('a..local', 0), NameError);
    }
  });
});
