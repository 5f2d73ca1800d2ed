/**
 * The Node adapter: pair.toDuplex(), driven by the same stream client as the
 * raw baseline, so a row compares the Duplex with a net.Socket used alike.
 */
import type { Duplex } from 'node:stream';
import { library } from './library.js';
import { streamClient } from './stream-client.js';

export const duplexClient = streamClient<Duplex>({
  // Opened lazily: writes made before the connection is up wait in the Duplex.
  open: async (port) => library().createPairWithSocketToHost('127.0.0.1', port).toDuplex(),
  // Destroying the Duplex closes both streams of its pair.
  close: (duplex) => duplex.destroy(),
});
