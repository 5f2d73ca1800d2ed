/**
 * Domain names on the wire and in presentation form. A wire name is a list of
 * labels (raw bytes); its presentation form escapes `.` and `\` inside a label
 * and bytes below 0x21 or 0x7F as `\DDD` (RFC 6763 §4.3, RFC 1035 §5.1), so a
 * name like "My.Printer" survives as one label. Decoding refuses pointer loops,
 * forward pointers, names over 255 octets (RFC 1035 §3.1) and invalid UTF-8.
 */

const MAX_NAME_OCTETS = 255;
const MAX_LABEL_OCTETS = 63;
// ignoreBOM: a label may begin with U+FEFF; stripping it changed names (and an
// all-BOM label became an empty one no packet could carry).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Raised for a malformed name; the packet decoder catches it. */
export class NameError extends Error {
  override readonly name = 'NameError';
}

/** Escapes one label's text for presentation form. */
export function escapeLabel(label: string): string {
  let out = '';
  for (const ch of label) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '.' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x21 && code !== 0x20) out += `\\${String(code).padStart(3, '0')}`;
    else if (code === 0x7f) out += '\\127';
    else out += ch;
  }
  return out;
}

/**
 * Splits a presentation-form name into unescaped labels; the final dot is
 * optional. `\DDD` is one byte, so "\195\169" is "é" (RFC 6763 §4.3).
 */
export function splitName(name: string): string[] {
  // Most names have no escapes and no lone surrogates: their labels are the text between dots.
  if (!name.includes('\\') && !SURROGATE.test(name)) return splitPlain(name);
  const labels: string[] = [];
  let bytes: number[] = [];
  const finish = (): void => {
    try {
      labels.push(utf8.decode(Uint8Array.from(bytes)));
    } catch {
      throw new NameError(`label is not valid UTF-8 in ${JSON.stringify(name)}`);
    }
    bytes = [];
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '\\') {
      const digits = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new NameError(`bad escape \\${digits} in ${JSON.stringify(name)}`);
        bytes.push(value);
        i += 3;
      } else if (i + 1 < name.length) {
        bytes.push(...Buffer.from(name[i + 1] as string, 'utf8'));
        i += 1;
      } else {
        throw new NameError(`dangling backslash in ${JSON.stringify(name)}`);
      }
    } else if (ch === '.') {
      if (bytes.length === 0) {
        if (i === name.length - 1 && labels.length > 0) return labels;
        throw new NameError(`empty label in ${JSON.stringify(name)}`);
      }
      finish();
    } else {
      const code = name.codePointAt(i) ?? 0;
      const text = String.fromCodePoint(code);
      bytes.push(...Buffer.from(text, 'utf8'));
      i += text.length - 1;
    }
  }
  if (bytes.length > 0) finish();
  return labels;
}

const SURROGATE = /[\uD800-\uDFFF]/;

// splitName of a name without escapes or surrogates: the same labels and errors, without the
// byte-by-byte UTF-8 round trip (a profile of the responder under load showed it first).
function splitPlain(name: string): string[] {
  if (name === '') return [];
  const labels = name.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
  // As the escaped path: in a name ending ".." the last dot is the final one, after a label.
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
  if (labels.includes('')) throw new NameError(`empty label in ${JSON.stringify(name)}`);
  return labels;
}

/** Joins labels into presentation form (no final dot). */
export function joinName(labels: readonly string[]): string {
  return labels.map(escapeLabel).join('.');
}

/** Bytes of a label: `\DDD` escapes below 0x80 stand for one byte; the rest is UTF-8. */
function labelBytes(label: string): Buffer {
  return Buffer.from(label, 'utf8');
}

const NON_ASCII = /[\u0080-\uffff]/;

/** The comparison key of a name: ASCII letters fold to lower case (RFC 6762 §16). */
export function nameKey(name: string): string {
  const trimmed = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  // toLowerCase would fold non-ASCII letters too, so it serves only pure-ASCII names (most).
  return NON_ASCII.test(trimmed)
    ? trimmed.replace(/[A-Z]/g, (c) => c.toLowerCase())
    : trimmed.toLowerCase();
}

/** True when two presentation-form names are the same name. */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/** A name ready to write: its labels' bytes and the comparison key of each suffix. */
interface WritableName {
  readonly labels: readonly Buffer[];
  /** keys[i]: labels i.. lower-cased (ASCII) and joined by NUL. */
  readonly keys: readonly string[];
}

// Names written lately (a responder writes the same few again and again), oldest first; bounded
// because names from the network (questions echoed to legacy resolvers) pass through too.
const writable = new Map<string, WritableName>();
const WRITABLE_MAX = 1024;

function writableName(name: string): WritableName {
  const known = writable.get(name);
  if (known !== undefined) return known;
  const labels = splitName(name).map(labelBytes);
  let total = 1;
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL_OCTETS) {
      throw new NameError(`label of ${label.length} octets in ${JSON.stringify(name)}`);
    }
    total += label.length + 1;
  }
  if (total > MAX_NAME_OCTETS) throw new NameError(`name over ${MAX_NAME_OCTETS} octets`);
  const keys: string[] = new Array(labels.length);
  for (let i = labels.length - 1; i >= 0; i--) {
    const key = (labels[i] as Buffer).toString('latin1').replace(/[A-Z]/g, (c) => c.toLowerCase());
    keys[i] = i === labels.length - 1 ? key : `${key}\u0000${keys[i + 1]}`;
  }
  const entry = { labels, keys };
  if (writable.size >= WRITABLE_MAX) writable.delete(writable.keys().next().value as string);
  writable.set(name, entry);
  return entry;
}

/** Writes names with message compression (RFC 1035 §4.1.4). */
export class NameWriter {
  readonly #offsets = new Map<string, number>();

  /** The encoded bytes of `name`, given that it starts at `offset` in the message. */
  encode(name: string, offset: number, compress = true): Buffer {
    const { labels, keys } = writableName(name);
    // The longest suffix already written, if any: the labels before it are written out.
    let plain = 0;
    let pointer = -1;
    for (; plain < labels.length; plain++) {
      const known = compress ? this.#offsets.get(keys[plain] as string) : undefined;
      if (known !== undefined) {
        pointer = known;
        break;
      }
    }
    let size = pointer < 0 ? 1 : 2;
    for (let i = 0; i < plain; i++) size += (labels[i] as Buffer).length + 1;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < plain; i++) {
      const label = labels[i] as Buffer;
      if (compress && offset + at < 0x3fff) this.#offsets.set(keys[i] as string, offset + at);
      out[at] = label.length;
      label.copy(out, at + 1);
      at += label.length + 1;
    }
    if (pointer < 0) out[at] = 0;
    else {
      out[at] = 0xc0 | (pointer >> 8);
      out[at + 1] = pointer & 0xff;
    }
    return out;
  }
}

// One label's presentation text. Most labels are ASCII with nothing to escape: their bytes
// are their text, without the UTF-8 decoder (a busy responder decodes every question).
function labelText(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b >= 0x80) {
      try {
        return escapeLabel(utf8.decode(buf.subarray(start, end)));
      } catch {
        throw new NameError('label is not valid UTF-8');
      }
    }
    if (b < 0x20 || b === 0x2e || b === 0x5c || b === 0x7f) plain = false;
  }
  const text = buf.toString('latin1', start, end);
  return plain ? text : escapeLabel(text);
}

/** Reads a name at `offset`; returns it and the offset just after it in the message. */
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let position = offset;
  let next = -1;
  let octets = 1;
  let lowestJump = offset;
  for (;;) {
    if (position >= buf.length) throw new NameError('name runs past the end of the packet');
    const len = buf[position] as number;
    if (len === 0) {
      position += 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (position + 1 >= buf.length) throw new NameError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | (buf[position + 1] as number);
      // Only strictly backward jumps: this rules out loops and self references.
      if (target >= lowestJump) throw new NameError('compression pointer does not point back');
      if (next < 0) next = position + 2;
      lowestJump = target;
      position = target;
      continue;
    }
    if (kind !== 0) throw new NameError(`unsupported label type 0x${len.toString(16)}`);
    if (position + 1 + len > buf.length)
      throw new NameError('label runs past the end of the packet');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new NameError(`name over ${MAX_NAME_OCTETS} octets`);
    labels.push(labelText(buf, position + 1, position + 1 + len));
    position += 1 + len;
  }
  return { name: labels.join('.'), next: next < 0 ? position : next };
}
