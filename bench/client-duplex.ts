/** The Node adapter: pair.toDuplex() inside stream.pipeline, with a counting Writable at the end. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { library } from './library.js';
import { blocks, type Client, decodeCount } from './workload.js';

/** A Writable that counts (and optionally keeps) what it is given. */
function counter(keep: boolean): { sink: Writable; bytes: () => number; data: () => Buffer } {
  let bytes = 0;
  const kept: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (keep) kept.push(chunk);
      callback();
    },
  });
  return { sink, bytes: () => bytes, data: () => Buffer.concat(kept) };
}

export const duplexClient: Client = {
  async download(port) {
    const pair = library().createPairWithSocketToHost('127.0.0.1', port);
    const out = counter(false);
    try {
      await pipeline(pair.toDuplex(), out.sink);
    } finally {
      pair.close();
    }
    return out.bytes();
  },
  async upload(port, size) {
    const pair = library().createPairWithSocketToHost('127.0.0.1', port);
    const out = counter(true);
    try {
      await pipeline(Readable.from(blocks(size)), pair.toDuplex(), out.sink);
    } finally {
      pair.close();
    }
    return decodeCount(out.data());
  },
  async echo(port, size) {
    const pair = library().createPairWithSocketToHost('127.0.0.1', port);
    const out = counter(false);
    try {
      await pipeline(Readable.from(blocks(size)), pair.toDuplex(), out.sink);
    } finally {
      pair.close();
    }
    return out.bytes();
  },
};
