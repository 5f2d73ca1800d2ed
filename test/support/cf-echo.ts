/** Drives a pair with the CF-style API: writes `data` as room allows and reads everything back. */
import { createHash } from 'node:crypto';
import { StreamEvent } from '../../src/constants.js';
import type { StreamPair } from '../../src/stream/stream-pair.js';

/** Sends `data` through the pair with write(), half-closes, and resolves with the SHA-256 of all read() bytes. */
export function echoThroughCF(
  pair: StreamPair,
  data: Buffer,
): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(64 * 1024);
    let sent = 0;
    let received = 0;
    pair.writeStream.setClient(31, (stream, type) => {
      if (type === StreamEvent.CanAcceptBytes) {
        while (sent < data.length) {
          const n = stream.write(data.subarray(sent), Math.min(256 * 1024, data.length - sent));
          if (n <= 0) break;
          sent += n;
        }
        if (sent === data.length) stream.close();
      } else if (type === StreamEvent.ErrorOccurred) {
        reject(stream.copyError());
      }
    });
    pair.readStream.setClient(31, (stream, type) => {
      if (type === StreamEvent.HasBytesAvailable) {
        const n = stream.read(buffer, buffer.length);
        if (n > 0) {
          hash.update(buffer.subarray(0, n));
          received += n;
        }
      } else if (type === StreamEvent.EndEncountered) {
        stream.close();
        resolve({ sha256: hash.digest('hex'), bytes: received });
      } else if (type === StreamEvent.ErrorOccurred) {
        reject(stream.copyError());
      }
    });
    pair.open();
  });
}

/** SHA-256 of a buffer, hex. */
export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
