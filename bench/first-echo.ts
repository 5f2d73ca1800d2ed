/**
 * The yardstick of every open benchmark: time from the first call to the
 * first echoed byte, through a pair and through a raw socket.
 */
import { connect } from 'node:net';
import { StreamEvent } from '../src/constants.js';
import type { StreamPair } from '../src/stream/stream-pair.js';

const BYTE = Buffer.from('x');

/** Makes a pair with `make()`, opens it, writes one byte; resolves with ms to the echo. */
export function pairFirstEcho(make: () => StreamPair): Promise<number> {
  const started = performance.now();
  const pair = make();
  return new Promise((resolve, reject) => {
    const buffer = Buffer.alloc(16);
    pair.writeStream.setClient(StreamEvent.CanAcceptBytes | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) reject(s.copyError());
      else if (s.write(BYTE, 1) === 1) s.setClient(0, null);
    });
    pair.readStream.setClient(StreamEvent.HasBytesAvailable | StreamEvent.ErrorOccurred, (s, t) => {
      if (t === StreamEvent.ErrorOccurred) {
        reject(s.copyError());
        return;
      }
      if (s.read(buffer, buffer.length) > 0) {
        const ms = performance.now() - started;
        pair.close();
        resolve(ms);
      }
    });
    pair.open();
  });
}

/** net.connect, one byte written on connect; resolves with ms to the echo. */
export function rawFirstEcho(address: string, port: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, noDelay: true }, () => socket.write(BYTE));
    socket.once('data', () => {
      const ms = performance.now() - started;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', reject);
  });
}
