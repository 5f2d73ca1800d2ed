/**
 * One client for any Node Duplex of bytes: 'data' events in, write() with
 * 'drain' out, end() to half-close, as a net.Socket client is written. The
 * raw baseline and toDuplex() both run through it, so the two differ only
 * in the stream they are given.
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { blocks, type Client, decodeCount } from './workload.js';

/** Opens a stream to `port`; `close` releases it after its transfer. */
export interface StreamOpener<S extends Duplex> {
  open(port: number): Promise<S>;
  close(stream: S): void;
  /** Reads until FIN (default: counts the 'data' chunks, keeping them when asked). */
  collect?(stream: S, keep: boolean): Promise<{ bytes: number; data: Buffer }>;
  /** Sends `size` bytes and half-closes (default: write() with 'drain', then end()). */
  send?(stream: S, size: number): Promise<void>;
}

async function sendAll(stream: Duplex, size: number): Promise<void> {
  for (const block of blocks(size)) {
    if (!stream.write(block)) await once(stream, 'drain');
  }
  stream.end();
}

/** Counts what arrives until the peer's FIN; resolves with the count, or with the bytes themselves. */
function collect(stream: Duplex, keep: boolean): Promise<{ bytes: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const kept: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keep) kept.push(chunk);
    });
    stream.once('end', () => resolve({ bytes, data: Buffer.concat(kept) }));
    stream.once('error', reject);
  });
}

/** The three directions over streams from `opener`. */
export function streamClient<S extends Duplex>(opener: StreamOpener<S>): Client {
  const read = opener.collect ?? collect;
  const write = opener.send ?? sendAll;
  const transfer = async (port: number, send: number, keep: boolean) => {
    const stream = await opener.open(port);
    try {
      const back = read(stream, keep);
      if (send > 0) await write(stream, send);
      return await back;
    } finally {
      opener.close(stream);
    }
  };
  return {
    download: async (port) => (await transfer(port, 0, false)).bytes,
    upload: async (port, size) => decodeCount((await transfer(port, size, true)).data),
    echo: async (port, size) => (await transfer(port, size, false)).bytes,
  };
}
