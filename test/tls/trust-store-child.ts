/**
 * Run by trust-store.integration.test.ts in a child process, because Node
 * reads NODE_EXTRA_CA_CERTS and --use-openssl-ca only at start-up: opens
 * each TLS connection described in argv[2] (JSON: port, SSL settings) with
 * secureSocket and prints, as JSON, "ok" or the SSL error code of each.
 */
import { StreamError } from '../../src/errors.js';
import { closeSocket, secureClient } from './tls-fixtures.js';

interface Attempt {
  readonly port: number;
  readonly settings?: Record<string, unknown>;
}

const attempts = JSON.parse(process.argv[2] ?? '[]') as Attempt[];
const results: Array<number | string> = [];
for (const { port, settings } of attempts) {
  try {
    const socket = await secureClient(port, settings === undefined ? {} : { settings });
    await closeSocket(socket);
    results.push('ok');
  } catch (error) {
    results.push(error instanceof StreamError ? error.code : String(error));
  }
}
console.log(JSON.stringify(results));
