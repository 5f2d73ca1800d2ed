/**
 * Properties of TXT records (RFC 6763 §6): any RDATA a peer sends parses
 * without throwing into a dictionary that keeps §6.4's rules, and any
 * dictionary a user gives either encodes and parses back to itself or is
 * refused with NetServices BadArgument (-72004).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createDictionaryWithTXTData,
  createTXTDataWithDictionary,
  ErrorDomain,
  NetServicesError,
  StreamError,
  type TxtDictionary,
  type TxtInput,
  type TxtValue,
} from '../../src/index.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz-runs.js';

/** RDATA as a peer might send it: length-prefixed strings, often `key=value`, possibly cut short. */
const txtData = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
          fc
            .tuple(
              fc.string({ maxLength: 8 }),
              fc.constantFrom('', '='),
              fc.uint8Array({ maxLength: 20 }),
            )
            .map(([k, eq, v]) => Buffer.concat([Buffer.from(k + eq, 'latin1'), Buffer.from(v)])),
        ),
        { maxLength: 12 },
      ),
      fc.nat(),
    )
    .map(([strings, cutAt]) => {
      const data = Buffer.concat(
        strings.filter((s) => s.length <= 255).flatMap((s) => [Buffer.from([s.length]), s]),
      );
      // Sometimes cut the last string short, as a truncated or hostile record would be.
      return cutAt % 4 === 0 && data.length > 0 ? data.subarray(0, cutAt % data.length) : data;
    }),
);

/** Keys that §6.4 allows: printable ASCII without `=`, distinct without regard to case. */
const key = fc.string({
  unit: fc.constantFrom(...' !"#$%&()*+,-./0123456789:;<>?@ABCXYZ[\\]^_`abcxyz{|}~'),
  minLength: 1,
  maxLength: 9,
});
const value: fc.Arbitrary<TxtValue> = fc.oneof(
  fc.constant(true as const),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);
const dictionary = fc
  .uniqueArray(fc.tuple(key, value), { maxLength: 10, selector: ([k]) => k.toLowerCase() })
  .map((entries) => Object.fromEntries(entries) as Record<string, TxtValue>);

/** What parsing should give for a valid dictionary: bytes for values, `true` for boolean keys. */
function expected(input: Record<string, TxtValue>): TxtDictionary {
  const out: TxtDictionary = {};
  for (const [k, v] of Object.entries(input))
    out[k] = v === true ? true : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
  return out;
}

function isBadArgument(error: unknown): boolean {
  return (
    error instanceof StreamError &&
    error.domain === ErrorDomain.NetServices &&
    error.code === NetServicesError.BadArgument
  );
}

const RUNS = fuzzRuns(1000);

describe('TXT records (property)', () => {
  it(`parses any RDATA without throwing, keeping RFC 6763 §6.4's key rules (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(txtData, (data) => {
        const parsed = createDictionaryWithTXTData(data);
        const folded = new Set<string>();
        for (const [k, v] of Object.entries(parsed)) {
          assert.ok(k.length > 0 && !k.includes('='), `key ${JSON.stringify(k)}`);
          assert.ok(v === true || Buffer.isBuffer(v));
          assert.ok(!folded.has(k.toLowerCase()), `duplicate key ${JSON.stringify(k)}`);
          folded.add(k.toLowerCase());
        }
      }),
      fuzzParameters(1000),
    );
  });

  it(`encodes a valid dictionary and parses it back to itself (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(dictionary, (input) => {
        let data: Buffer;
        try {
          data = createTXTDataWithDictionary(input);
        } catch (error) {
          // Only an entry over 255 bytes may be refused (§6.1).
          assert.ok(isBadArgument(error), String(error));
          assert.match((error as Error).message, /over 255/);
          return;
        }
        assert.deepEqual(createDictionaryWithTXTData(data), expected(input));
      }),
      fuzzParameters(1000),
    );
  });

  it(`refuses any other dictionary with NetServices BadArgument, never another error (${RUNS} cases)`, () => {
    const anyKey = fc.string({ unit: 'binary', maxLength: 12 });
    const anyValue = fc.oneof(
      value,
      fc.constant(null),
      fc.constant(undefined),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(anyKey, anyValue), { maxLength: 8 }), (entries) => {
        const input: TxtInput = Object.fromEntries(entries);
        try {
          createTXTDataWithDictionary(input);
        } catch (error) {
          assert.ok(isBadArgument(error), String(error));
        }
      }),
      fuzzParameters(1000),
    );
  });
});
