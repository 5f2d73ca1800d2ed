/**
 * kCFStreamPropertySSLSettings and the security level: validation, CF's
 * defaults, the effective level, and the deprecated protocol enum.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSocketSecurityLevelNone,
  kCFStreamSocketSecurityLevelSSLv2,
  kCFStreamSocketSecurityLevelSSLv3,
  kCFStreamSocketSecurityLevelTLSv1,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLCertificates,
  kCFStreamSSLIsServer,
  kCFStreamSSLLevel,
  kCFStreamSSLPeerName,
  kCFStreamSSLValidatesCertificateChain,
  SecurityProtocol,
} from '../../src/constants.js';
import {
  effectiveSecurityLevel,
  kCFStreamSSLClientSideAuthenticate,
  kCFStreamSSLTrustedRoots,
  kTryAuthenticate,
  parseSecurityLevel,
  parseSSLSettings,
  SSLAuthenticate,
  securityLevelForProtocol,
} from '../../src/tls/index.js';
import { PFX_PASSPHRASE, type TestCA, testCA } from '../support/test-ca.js';

describe('tls settings', () => {
  let ca: TestCA;
  before(async function () {
    this.timeout(60_000);
    ca = await testCA();
  });

  describe('parseSSLSettings', () => {
    it("an empty dictionary gets CF's defaults", () => {
      assert.deepEqual(parseSSLSettings({}), {
        level: undefined,
        allowsExpiredCertificates: false,
        allowsExpiredRoots: false,
        allowsAnyRoot: false,
        validatesCertificateChain: true,
        peerName: undefined,
        certificates: undefined,
        isServer: false,
        trustedRoots: [],
        clientSideAuthenticate: SSLAuthenticate.Never,
      });
    });

    it('reads every key', () => {
      const settings = parseSSLSettings({
        [kCFStreamSSLLevel]: kCFStreamSocketSecurityLevelTLSv1,
        [kCFStreamSSLAllowsAnyRoot]: true,
        [kCFStreamSSLValidatesCertificateChain]: false,
        [kCFStreamSSLPeerName]: null,
        [kCFStreamSSLIsServer]: true,
        [kCFStreamSSLCertificates]: [
          { key: ca.viaIntermediate.key, cert: ca.viaIntermediate.cert },
          ca.intermediate.cert,
        ],
        [kCFStreamSSLClientSideAuthenticate]: kTryAuthenticate,
      });
      assert.equal(settings.level, kCFStreamSocketSecurityLevelTLSv1);
      assert.equal(settings.allowsAnyRoot, true);
      assert.equal(settings.validatesCertificateChain, false);
      assert.equal(settings.peerName, null);
      assert.equal(settings.isServer, true);
      assert.equal(settings.certificates?.chain.length, 1);
      assert.equal(settings.clientSideAuthenticate, SSLAuthenticate.Try);
    });

    it('trusted roots accept PEM bundles, DER bytes and X509Certificate objects', () => {
      const der = new X509Certificate(ca.otherRoot.cert).raw;
      const settings = parseSSLSettings({
        [kCFStreamSSLTrustedRoots]: [
          ca.root.cert + ca.intermediate.cert,
          der,
          new X509Certificate(ca.expiredRoot.cert),
        ],
      });
      assert.equal(settings.trustedRoots.length, 4);
      assert.ok(settings.trustedRoots.every((root) => root instanceof X509Certificate));
    });

    it('the same PEM text set again is not parsed again (a TLS open re-parses nothing)', () => {
      const parse = () =>
        parseSSLSettings({ [kCFStreamSSLTrustedRoots]: ca.root.cert + ca.intermediate.cert })
          .trustedRoots;
      const [first, second] = [parse(), parse()];
      assert.equal(second.length, 2);
      assert.ok(second.every((cert, i) => cert === first[i]));
      assert.notEqual(second, first, 'each settings object has its own list');
    });

    it('accepts a PKCS#12 identity with its passphrase', () => {
      const settings = parseSSLSettings({
        [kCFStreamSSLCertificates]: [{ pfx: ca.viaIntermediatePfx, passphrase: PFX_PASSPHRASE }],
      });
      assert.ok(settings.certificates !== undefined && 'pfx' in settings.certificates.identity);
    });

    const refusals: ReadonlyArray<readonly [string, unknown, RegExp]> = [
      ['not an object', 'yes', /must be an object/],
      ['an array', [], /must be an object/],
      [
        'an unknown key (a typo)',
        { kCFStreamSSLAllowAnyRoot: true },
        /unknown SSL settings key "kCFStreamSSLAllowAnyRoot"/,
      ],
      [
        'a non-boolean flag',
        { [kCFStreamSSLAllowsAnyRoot]: 1 },
        /kCFStreamSSLAllowsAnyRoot must be a boolean/,
      ],
      [
        'an unknown level',
        { [kCFStreamSSLLevel]: 'TLSv1.3' },
        /kCFStreamSSLLevel: security level must be one of/,
      ],
      [
        'an empty peer name',
        { [kCFStreamSSLPeerName]: '' },
        /kCFStreamSSLPeerName must be a host name, or null/,
      ],
      [
        'a server without an identity',
        { [kCFStreamSSLIsServer]: true },
        /needs kCFStreamSSLCertificates/,
      ],
      [
        'certificates that are not an array',
        { [kCFStreamSSLCertificates]: 'pem' },
        /must be an array/,
      ],
      [
        'a trusted root that is not a certificate',
        { [kCFStreamSSLTrustedRoots]: 'hello' },
        /kCFStreamSSLTrustedRoots\[0\]: not a certificate/,
      ],
      [
        'a bad client authentication value',
        { [kCFStreamSSLClientSideAuthenticate]: 'always' },
        /kCFStreamSSLClientSideAuthenticate must be/,
      ],
    ];
    for (const [title, value, message] of refusals) {
      it(`throws TypeError for ${title}`, () => {
        assert.throws(
          () => parseSSLSettings(value),
          (error: unknown) => error instanceof TypeError && message.test(error.message),
        );
      });
    }

    it('throws TypeError when the key does not belong to the certificate', () => {
      assert.throws(
        () =>
          parseSSLSettings({
            [kCFStreamSSLCertificates]: [{ key: ca.client.key, cert: ca.valid.cert }],
          }),
        { name: 'TypeError', message: /does not belong to the certificate/ },
      );
    });

    it('throws TypeError for a PKCS#12 bundle with the wrong passphrase', () => {
      assert.throws(
        () =>
          parseSSLSettings({
            [kCFStreamSSLCertificates]: [{ pfx: ca.viaIntermediatePfx, passphrase: 'wrong' }],
          }),
        {
          name: 'TypeError',
          message: /pfx cannot be loaded/,
        },
      );
    });
  });

  describe('security levels', () => {
    it('parseSecurityLevel accepts the five levels and refuses anything else', () => {
      for (const level of [
        kCFStreamSocketSecurityLevelNone,
        kCFStreamSocketSecurityLevelSSLv2,
        kCFStreamSocketSecurityLevelSSLv3,
        kCFStreamSocketSecurityLevelTLSv1,
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      ]) {
        assert.equal(parseSecurityLevel(level), level);
      }
      for (const bad of ['TLSv1', 4, null, undefined, {}])
        assert.throws(() => parseSecurityLevel(bad), TypeError);
    });

    it('securityLevelForProtocol maps the deprecated enum (SSLv23 -> NegotiatedSSL)', () => {
      assert.equal(
        securityLevelForProtocol(SecurityProtocol.None),
        kCFStreamSocketSecurityLevelNone,
      );
      assert.equal(
        securityLevelForProtocol(SecurityProtocol.SSLv2),
        kCFStreamSocketSecurityLevelSSLv2,
      );
      assert.equal(
        securityLevelForProtocol(SecurityProtocol.SSLv3),
        kCFStreamSocketSecurityLevelSSLv3,
      );
      assert.equal(
        securityLevelForProtocol(SecurityProtocol.SSLv23),
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      assert.equal(
        securityLevelForProtocol(SecurityProtocol.TLSv1),
        kCFStreamSocketSecurityLevelTLSv1,
      );
      assert.throws(() => securityLevelForProtocol(5), TypeError);
    });

    it('kCFStreamSSLLevel wins over the property; settings alone mean NegotiatedSSL', () => {
      const tls1 = parseSSLSettings({ [kCFStreamSSLLevel]: kCFStreamSocketSecurityLevelTLSv1 });
      const plain = parseSSLSettings({});
      assert.equal(
        effectiveSecurityLevel(kCFStreamSocketSecurityLevelNegotiatedSSL, tls1),
        kCFStreamSocketSecurityLevelTLSv1,
      );
      assert.equal(
        effectiveSecurityLevel(kCFStreamSocketSecurityLevelTLSv1, plain),
        kCFStreamSocketSecurityLevelTLSv1,
      );
      assert.equal(
        effectiveSecurityLevel(undefined, plain),
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      assert.equal(
        effectiveSecurityLevel(kCFStreamSocketSecurityLevelNone, plain),
        kCFStreamSocketSecurityLevelNegotiatedSSL,
      );
      assert.equal(effectiveSecurityLevel(undefined, undefined), kCFStreamSocketSecurityLevelNone);
      assert.equal(
        effectiveSecurityLevel(kCFStreamSocketSecurityLevelNone, undefined),
        kCFStreamSocketSecurityLevelNone,
      );
    });
  });
});
