/** Guards for tests that must run inside the private network namespace (npm run test:integration). */

/** Throws unless this process runs inside scripts/in-private-network.mjs. */
export function requirePrivateNetwork(): void {
  if (process.env.CFSTREAM_PRIVATE_NETWORK !== '1') {
    throw new Error(
      'this test must run inside a private network namespace: use `npm run test:integration`',
    );
  }
}
