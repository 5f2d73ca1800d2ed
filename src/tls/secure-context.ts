/**
 * The Node secure context a connection uses: TLS versions and ciphers of its
 * level, the roots it trusts (Node's default roots plus
 * kCFStreamSSLTrustedRoots) and our identity.
 *
 * Building a context is most of the CPU a TLS open would otherwise cost (a
 * `ca` list that names Node's ~140 roots again is parsed in ~30 ms), and a
 * pair parses its SSL settings into a new object each time they are set, so
 * contexts are shared by content: two settings with the same level, roots and
 * identity get the same context. Only those go into a context; every other
 * setting is applied per connection (secure-socket.ts).
 */
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { SecurityLevel } from '../constants.js';
import { nodeCrypto, nodeTls } from './node-tls.js';
import type { ProtocolOptions } from './security-level.js';
import type { SSLCertificates, SSLSettings } from './ssl-settings.js';
import { defaultTrustStore, type TrustStore } from './trust-store.js';

// Enough for every distinct configuration a program plausibly uses at once; a program
// that cycles through more rebuilds the oldest instead of holding them all.
const MAX_CONTEXTS = 64;

/** Contexts by level and content key, least recently used first. */
const contexts = new Map<string, SecureContext>();
/** The content key of each settings object (settings are immutable once parsed). */
const keys = new WeakMap<SSLSettings, string>();

/** The secure context for a level and (optional) settings, built once per distinct content and reused. */
export function secureContextFor(
  level: SecurityLevel,
  protocol: ProtocolOptions,
  settings: SSLSettings | undefined,
  store: TrustStore = defaultTrustStore(),
): SecureContext {
  const cacheKey = `${level}\n${settings === undefined ? '' : contentKey(settings)}`;
  let context = contexts.get(cacheKey);
  if (context !== undefined) {
    contexts.delete(cacheKey); // re-inserted below: most recently used last
  } else {
    context = buildContext(protocol, settings, store);
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  }
  contexts.set(cacheKey, context);
  return context;
}

/** Forgets every cached context (for tests that change the trust store). */
export function clearSecureContexts(): void {
  contexts.clear();
}

/** What goes into a context, as one string: the roots by fingerprint, the identity by digest. */
function contentKey(settings: SSLSettings): string {
  let key = keys.get(settings);
  if (key === undefined) {
    const roots = settings.trustedRoots.map((root) => root.fingerprint256).sort();
    key = `${roots.join(',')}\n${settings.certificates === undefined ? '' : identityDigest(settings.certificates)}`;
    keys.set(settings, key);
  }
  return key;
}

/** A digest, not the key itself: the cache key must not hold secrets in the clear. */
function identityDigest({ identity, chain }: SSLCertificates): string {
  const hash = nodeCrypto().createHash('sha256');
  const field = (value: string | Buffer) => {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    hash.update(`${bytes.length}:`).update(bytes);
  };
  if ('pfx' in identity) {
    field('pfx');
    field(identity.pfx);
  } else {
    field('pem');
    field(identity.key);
    field(identity.cert.raw);
  }
  field(identity.passphrase ?? '');
  for (const cert of chain) field(cert.raw);
  return hash.digest('base64');
}

function buildContext(
  protocol: ProtocolOptions,
  settings: SSLSettings | undefined,
  store: TrustStore,
): SecureContext {
  const options: SecureContextOptions = {
    minVersion: protocol.minVersion,
    maxVersion: protocol.maxVersion,
    ...(protocol.ciphers === undefined ? {} : { ciphers: protocol.ciphers }),
    ...(settings?.certificates === undefined ? {} : identityOptions(settings.certificates)),
  };
  const trusted = settings?.trustedRoots.map((root) => root.toString()) ?? [];
  // Without trusted roots the context uses Node's default store as it is.
  if (trusted.length === 0) return nodeTls().createSecureContext(options);
  // Private roots add to the default trust, they do not replace it.
  const roots = store.contextRoots(trusted);
  if (roots.kind === 'replace')
    return nodeTls().createSecureContext({ ...options, ca: [...roots.ca] });
  const context = nodeTls().createSecureContext(options);
  // Adding to a context on the default store copies the store first (Node's
  // SecureContext::SetCACert), so other contexts keep trusting exactly the default roots.
  const native = context.context as { addCACert(pem: string): void };
  for (const pem of roots.add) native.addCACert(pem);
  return context;
}

/** Key and certificate options for our identity: the leaf first, then its chain, as OpenSSL sends them. */
function identityOptions(certificates: SSLCertificates): SecureContextOptions {
  const { identity, chain } = certificates;
  const passphrase = identity.passphrase === undefined ? {} : { passphrase: identity.passphrase };
  if ('pfx' in identity) return { pfx: identity.pfx, ...passphrase };
  return {
    key: identity.key,
    cert: [identity.cert, ...chain.map((cert) => cert.toString())].join('\n'),
    ...passphrase,
  };
}
