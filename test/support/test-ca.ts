/**
 * A local test certificate authority, built with the `openssl` command at
 * test time: roots, an intermediate, and leaf certificates with every fault
 * the TLS tests need (expired, not yet valid, wrong host name, self-signed,
 * unknown root, missing intermediate) plus client certificates for mutual
 * TLS. Built once per test run in a temporary folder that is removed at exit.
 *
 * Dates are set with `openssl ca -startdate/-enddate`, which every OpenSSL
 * 3.x has (`openssl req -x509 -not_before` needs 3.4, Debian 12 ships 3.0).
 * Keys are EC P-256: fast to make, and usable from TLS 1.0 to 1.3.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAY = 24 * 60 * 60 * 1000;

/** A certificate with its private key, as PEM text and as files (for `openssl s_server`). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  /** Certificates a server should send after this one (PEM, issuer order). */
  readonly chain: readonly string[];
  readonly keyFile: string;
  readonly certFile: string;
  /** `chain` as one file, or undefined when the chain is empty. */
  readonly chainFile: string | undefined;
}

/** Every certificate the TLS tests use. Leaf names are `localhost` and 127.0.0.1 unless noted. */
export interface TestCA {
  readonly dir: string;
  /** The trusted test root: tests supply it as a private CA. */
  readonly root: TestCertificate;
  /** An intermediate CA under `root`. */
  readonly intermediate: TestCertificate;
  /** A root nobody trusts. */
  readonly otherRoot: TestCertificate;
  /** A root whose validity ended yesterday. */
  readonly expiredRoot: TestCertificate;
  readonly valid: TestCertificate;
  readonly expired: TestCertificate;
  readonly notYetValid: TestCertificate;
  /** Valid, but for `wrong.example` only. */
  readonly wrongHost: TestCertificate;
  /** Expired and for `wrong.example`: two faults at once. */
  readonly expiredWrongHost: TestCertificate;
  /** A self-signed leaf (no CA at all). */
  readonly selfSigned: TestCertificate;
  /** Signed by `otherRoot`; the chain includes `otherRoot`. */
  readonly unknownRoot: TestCertificate;
  /** Expired and signed by `otherRoot`: two faults at once. */
  readonly expiredUnknownRoot: TestCertificate;
  /** Signed by `intermediate`; the chain includes it. */
  readonly viaIntermediate: TestCertificate;
  /** Signed by `intermediate`, sent without it: an incomplete chain. */
  readonly missingIntermediate: TestCertificate;
  /** Valid leaf under `expiredRoot`. */
  readonly underExpiredRoot: TestCertificate;
  /** A client certificate under `root`. */
  readonly client: TestCertificate;
  /** A client certificate under `otherRoot`. */
  readonly clientUnknownRoot: TestCertificate;
  /** `viaIntermediate` with its key and chain as PKCS#12, protected by {@link PFX_PASSPHRASE}. */
  readonly viaIntermediatePfx: Buffer;
}

/** The passphrase of {@link TestCA.viaIntermediatePfx}. */
export const PFX_PASSPHRASE = 'cfsocketstream-test';

const CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
database = ./index.txt
new_certs_dir = ./issued
serial = ./serial
default_md = sha256
policy = any_name
unique_subject = no
email_in_dn = no
copy_extensions = none
[any_name]
commonName = supplied
[ext_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,IP:127.0.0.1
[ext_wrong]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example
[ext_self]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost,IP:127.0.0.1
[ext_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

/** `openssl ca` dates: UTCTime, YYMMDDHHMMSSZ (valid for 1950-2049). */
function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
}

type Extensions = 'ext_ca' | 'ext_leaf' | 'ext_wrong' | 'ext_self' | 'ext_client';

interface Spec {
  readonly name: string;
  /** The issuer, or undefined for a self-signed certificate. */
  readonly issuer: TestCertificate | undefined;
  readonly extensions: Extensions;
  readonly from: number;
  readonly to: number;
  /** Whether a server sends the issuer's chain after this certificate. */
  readonly sendIssuer?: boolean;
}

class Builder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async #openssl(...args: string[]): Promise<void> {
    await run('openssl', args, { cwd: this.dir });
  }

  /** Makes one certificate; `openssl ca` keeps a database, so calls must not overlap. */
  async make(spec: Spec): Promise<TestCertificate> {
    const keyFile = join(this.dir, `${spec.name}.key`);
    const csrFile = join(this.dir, `${spec.name}.csr`);
    const certFile = join(this.dir, `${spec.name}.crt`);
    await this.#openssl(
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      keyFile,
    );
    await this.#openssl(
      'req',
      '-new',
      '-key',
      keyFile,
      '-subj',
      `/CN=cfsocketstream test ${spec.name}`,
      '-out',
      csrFile,
    );
    const signer =
      spec.issuer === undefined
        ? ['-selfsign', '-keyfile', keyFile]
        : ['-cert', spec.issuer.certFile, '-keyfile', spec.issuer.keyFile];
    await this.#openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      ...signer,
      '-in',
      csrFile,
      '-out',
      certFile,
      '-startdate',
      asn1Time(spec.from),
      '-enddate',
      asn1Time(spec.to),
      '-extensions',
      spec.extensions,
    );
    const chain =
      spec.issuer !== undefined && spec.sendIssuer === true
        ? [spec.issuer.cert, ...spec.issuer.chain]
        : [];
    let chainFile: string | undefined;
    if (chain.length > 0) {
      chainFile = join(this.dir, `${spec.name}.chain.crt`);
      writeFileSync(chainFile, chain.join(''));
    }
    return {
      key: readFileSync(keyFile, 'utf8'),
      cert: readFileSync(certFile, 'utf8'),
      chain,
      keyFile,
      certFile,
      chainFile,
    };
  }
}

async function build(dir: string): Promise<TestCA> {
  writeFileSync(join(dir, 'ca.cnf'), CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  await run('mkdir', ['issued'], { cwd: dir });
  const b = new Builder(dir);
  const now = Date.now();
  const current = { from: now - DAY, to: now + 30 * DAY };
  const past = { from: now - 60 * DAY, to: now - 30 * DAY };
  const future = { from: now + 30 * DAY, to: now + 60 * DAY };
  const years = { from: now - DAY, to: now + 3650 * DAY };

  const root = await b.make({ name: 'root', issuer: undefined, extensions: 'ext_ca', ...years });
  const otherRoot = await b.make({
    name: 'other-root',
    issuer: undefined,
    extensions: 'ext_ca',
    ...years,
  });
  const expiredRoot = await b.make({
    name: 'expired-root',
    issuer: undefined,
    extensions: 'ext_ca',
    from: now - 400 * DAY,
    to: now - DAY,
  });
  const intermediate = await b.make({
    name: 'intermediate',
    issuer: root,
    extensions: 'ext_ca',
    ...years,
  });
  const leaf = (
    name: string,
    issuer: TestCertificate,
    dates: { from: number; to: number },
    extensions: Extensions = 'ext_leaf',
  ) => b.make({ name, issuer, extensions, ...dates, sendIssuer: issuer !== root });
  const viaIntermediate = await leaf('via-intermediate', intermediate, current);
  const pfxFile = join(dir, 'via-intermediate.p12');
  await run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-inkey',
      viaIntermediate.keyFile,
      '-in',
      viaIntermediate.certFile,
      '-certfile',
      viaIntermediate.chainFile!,
      '-passout',
      `pass:${PFX_PASSPHRASE}`,
      '-out',
      pfxFile,
    ],
    { cwd: dir },
  );
  return {
    dir,
    root,
    intermediate,
    otherRoot,
    expiredRoot,
    valid: await leaf('valid', root, current),
    expired: await leaf('expired', root, past),
    notYetValid: await leaf('not-yet-valid', root, future),
    wrongHost: await leaf('wrong-host', root, current, 'ext_wrong'),
    expiredWrongHost: await leaf('expired-wrong-host', root, past, 'ext_wrong'),
    selfSigned: await b.make({
      name: 'self-signed',
      issuer: undefined,
      extensions: 'ext_self',
      ...current,
    }),
    unknownRoot: await leaf('unknown-root', otherRoot, current),
    expiredUnknownRoot: await leaf('expired-unknown-root', otherRoot, past),
    viaIntermediate,
    missingIntermediate: await b.make({
      name: 'missing-intermediate',
      issuer: intermediate,
      extensions: 'ext_leaf',
      ...current,
    }),
    underExpiredRoot: await leaf('under-expired-root', expiredRoot, current),
    client: await leaf('client', root, current, 'ext_client'),
    clientUnknownRoot: await leaf('client-unknown-root', otherRoot, current, 'ext_client'),
    viaIntermediatePfx: readFileSync(pfxFile),
  };
}

let cached: Promise<TestCA> | undefined;

/** The test CA for this run, built on first use and removed when the process exits. */
export function testCA(): Promise<TestCA> {
  if (cached === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'cfsocketstream-test-ca-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cached = build(dir);
  }
  return cached;
}
