/**
 * Properties of service instance names (RFC 6763 §4, §7): `NetService.parse`
 * of any text gives a service or a NetServices BadArgument (-72004), never
 * another error, and a service's full escaped name parses back to the same
 * instance name, type and domain.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorDomain, NetService, NetServicesError, StreamError } from '../../src/index.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz-runs.js';

function assertBadArgument(error: unknown): void {
  assert.ok(error instanceof StreamError, `threw a non-StreamError: ${String(error)}`);
  assert.equal(error.domain, ErrorDomain.NetServices, error.message);
  assert.equal(error.code, NetServicesError.BadArgument, error.message);
}

/** Pieces that make names interesting: escapes (good and bad), service labels, dots. */
const piece = fc.oneof(
  fc.constantFrom(
    '.',
    '\\',
    '\\.',
    '\\\\',
    '\\065',
    '\\195\\169',
    '\\256',
    '\\999',
    '\\0',
    '_http',
    '_tcp',
    '_udp',
    '_-abc',
    'local',
    'local.',
    ' ',
    'My Printer',
  ),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const anyName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join('')),
);

/** Instance names: free UTF-8 text (dots and backslashes included) of 1 to 63 octets. */
const instance = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('.', '\\', ' ', '(', ')', '_', 'é', '😀', '\uFEFF'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 30,
  })
  .filter((name) => {
    const octets = Buffer.byteLength(name, 'utf8');
    return octets <= 63;
  });
const serviceType = fc
  .tuple(
    fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'),
      minLength: 1,
      maxLength: 14,
    }),
    fc.constantFrom('_tcp', '_udp', '_TCP'),
  )
  .map(([name, proto]) => `_${name}.${proto}`);
const domain = fc.constantFrom('local.', 'local', '', 'example.com.', 'Sub.Example.ORG');

const RUNS = fuzzRuns(1000);

describe('service names (property)', () => {
  it(`NetService.parse of any text gives a service or BadArgument (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(anyName, (text) => {
        try {
          const service = NetService.parse(text);
          assert.ok(service.name.length > 0);
          assert.match(service.type, /\._(tcp|udp)\.$/i);
        } catch (error) {
          assertBadArgument(error);
        }
      }),
      fuzzParameters(1000),
    );
  });

  it(`a service's full name parses back to the same service (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(instance, serviceType, domain, (name, type, dom) => {
        let service: NetService;
        try {
          service = new NetService(dom, type, name);
        } catch (error) {
          // Names the library refuses (RFC 6763 §4.1.1 limits) are refused with BadArgument.
          assertBadArgument(error);
          return;
        }
        const parsed = NetService.parse(service.toString());
        assert.equal(parsed.name, service.name);
        assert.equal(parsed.type, service.type);
        assert.equal(parsed.domain, service.domain);
        assert.equal(parsed.toString(), service.toString());
      }),
      fuzzParameters(1000),
    );
  });
});
