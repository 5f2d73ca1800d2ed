/**
 * TXT records of DNS-SD (RFC 6763 §6), with CFNetService's helpers:
 * `createTXTDataWithDictionary` and `createDictionaryWithTXTData`.
 * An empty record is one zero byte (§6.1); a key is printable ASCII without
 * `=` and is compared without regard to case (§6.4); the first of duplicate
 * keys wins (§6.4); a key alone is a boolean attribute, `key=` an empty
 * value (§6.4); values are opaque bytes (§6.5).
 */
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** A TXT value: bytes, text (UTF-8), or `true` for a key present without a value. */
export type TxtValue = Buffer | Uint8Array | string | true;
/** TXT attributes as given to publish. */
export type TxtInput = Readonly<Record<string, TxtValue | null | undefined>>;
/** TXT attributes as read: bytes, or `true` for a boolean key. */
export type TxtDictionary = Record<string, Buffer | true>;

const MAX_STRING = 255;
/** RFC 1035 §3.2.1: RDLENGTH is 16 bits, so no TXT record holds more. */
const MAX_RDATA = 65535;

function badArgument(message: string): StreamError {
  return new StreamError(ErrorDomain.NetServices, NetServicesError.BadArgument, message);
}

/**
 * The strings of a TXT record from a dictionary; throws BadArgument for a bad
 * key, a string over 255 bytes, or strings over 65,535 bytes in all.
 */
export function txtStringsFromDictionary(dictionary: TxtInput): Buffer[] {
  const strings: Buffer[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const [key, value] of Object.entries(dictionary)) {
    if (value === undefined) continue;
    if (key === '' || !/^[\x20-\x3c\x3e-\x7e]+$/.test(key))
      throw badArgument(`bad TXT key ${JSON.stringify(key)}`);
    if (seen.has(key.toLowerCase())) throw badArgument(`duplicate TXT key ${JSON.stringify(key)}`);
    seen.add(key.toLowerCase());
    const entry =
      value === true || value === null
        ? Buffer.from(key, 'ascii')
        : Buffer.concat([
            Buffer.from(`${key}=`, 'ascii'),
            typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value),
          ]);
    if (entry.length > MAX_STRING)
      throw badArgument(
        `TXT entry ${JSON.stringify(key)} is ${entry.length} bytes, over ${MAX_STRING}`,
      );
    strings.push(entry);
    size += 1 + entry.length;
    if (size > MAX_RDATA)
      throw badArgument(`TXT record over ${MAX_RDATA} bytes (at key ${JSON.stringify(key)})`);
  }
  return strings;
}

/** TXT RDATA from a dictionary (CFNetServiceCreateTXTDataWithDictionary). */
export function createTXTDataWithDictionary(dictionary: TxtInput): Buffer {
  const strings = txtStringsFromDictionary(dictionary);
  if (strings.length === 0) return Buffer.from([0]);
  return Buffer.concat(strings.flatMap((s) => [Buffer.from([s.length]), s]));
}

/** Splits TXT RDATA into its strings; a string that runs past the end ends the record. */
export function txtStringsFromData(data: Uint8Array): Buffer[] {
  const buf = Buffer.from(data);
  const out: Buffer[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const size = buf[offset] as number;
    if (offset + 1 + size > buf.length) break;
    out.push(buf.subarray(offset + 1, offset + 1 + size));
    offset += 1 + size;
  }
  return out;
}

/** A dictionary from TXT strings; keys keep the case of their first appearance. */
export function dictionaryFromTxtStrings(strings: readonly Uint8Array[]): TxtDictionary {
  const out: TxtDictionary = {};
  const seen = new Set<string>();
  for (const raw of strings) {
    const s = Buffer.from(raw);
    if (s.length === 0) continue;
    const eq = s.indexOf(0x3d);
    // §6.4: a string starting with "=" has no key and is ignored.
    if (eq === 0) continue;
    const key = s.subarray(0, eq < 0 ? s.length : eq).toString('latin1');
    const folded = key.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    out[key] = eq < 0 ? true : Buffer.from(s.subarray(eq + 1));
  }
  return out;
}

/** A dictionary from TXT RDATA (CFNetServiceCreateDictionaryWithTXTData). */
export function createDictionaryWithTXTData(data: Uint8Array): TxtDictionary {
  return dictionaryFromTxtStrings(txtStringsFromData(data));
}

/** A value by key, ignoring case (§6.4). */
export function txtValue(dictionary: TxtDictionary, key: string): Buffer | true | undefined {
  const folded = key.toLowerCase();
  for (const [k, v] of Object.entries(dictionary)) if (k.toLowerCase() === folded) return v;
  return undefined;
}

/** CF's spelling; `alloc` is ignored. */
export function CFNetServiceCreateTXTDataWithDictionary(
  _alloc: unknown,
  dictionary: TxtInput,
): Buffer {
  return createTXTDataWithDictionary(dictionary);
}

/** CF's spelling; `alloc` is ignored. */
export function CFNetServiceCreateDictionaryWithTXTData(
  _alloc: unknown,
  data: Uint8Array,
): TxtDictionary {
  return createDictionaryWithTXTData(data);
}
