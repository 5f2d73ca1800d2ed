/**
 * node:tls and node:crypto, loaded on first use. Loading the two at import
 * was a quarter of the package's import time (docs/performance.md,
 * start-up), for what only a TLS open or a certificate property needs.
 * Both are Node built-ins: `require` returns the very module an `import`
 * would, so classes (TLSSocket, X509Certificate) compare as usual.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

let tlsModule: typeof import('node:tls') | undefined;
let cryptoModule: typeof import('node:crypto') | undefined;

/** node:tls (loads on the first call). */
export function nodeTls(): typeof import('node:tls') {
  tlsModule ??= load('node:tls') as typeof import('node:tls');
  return tlsModule;
}

/** node:crypto (loads on the first call). */
export function nodeCrypto(): typeof import('node:crypto') {
  cryptoModule ??= load('node:crypto') as typeof import('node:crypto');
  return cryptoModule;
}
