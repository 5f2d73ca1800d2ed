/**
 * The CF-style API: setClient callbacks on both streams of a pair, read() into
 * a reused buffer until it returns 0, write() until it takes nothing, as a
 * CFReadStream/CFWriteStream client does.
 */
import { StreamEvent } from '../src/constants.js';
import { library } from './library.js';
import { type Client, decodeCount, READ_BUFFER_BYTES, SEND_BLOCK } from './workload.js';

interface Plan {
  /** Bytes to send before half-closing (0: send nothing, keep the write stream open). */
  readonly send: number;
  /** Keep what is read (the sink's 8-byte reply) rather than only counting it. */
  readonly keep: boolean;
}

/** Runs one transfer through a pair; resolves with the bytes read before EndEncountered. */
function transfer(port: number, plan: Plan): Promise<{ bytes: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const pair = library().createPairWithSocketToHost('127.0.0.1', port);
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const kept: Buffer[] = [];
    let received = 0;
    let sent = 0;
    const fail = (error: unknown): void => {
      pair.close();
      reject(error);
    };

    pair.readStream.setClient(
      StreamEvent.HasBytesAvailable | StreamEvent.EndEncountered | StreamEvent.ErrorOccurred,
      (stream, type) => {
        if (type === StreamEvent.HasBytesAvailable) {
          for (
            let n = stream.read(buffer, buffer.length);
            n > 0;
            n = stream.read(buffer, buffer.length)
          ) {
            received += n;
            if (plan.keep) kept.push(Buffer.from(buffer.subarray(0, n)));
          }
        } else if (type === StreamEvent.EndEncountered) {
          pair.close();
          resolve({ bytes: received, data: Buffer.concat(kept) });
        } else {
          fail(stream.copyError());
        }
      },
    );

    pair.writeStream.setClient(
      StreamEvent.CanAcceptBytes | StreamEvent.ErrorOccurred,
      (stream, type) => {
        if (type === StreamEvent.ErrorOccurred) {
          fail(stream.copyError());
          return;
        }
        if (plan.send === 0) return;
        while (sent < plan.send) {
          const offset = sent % SEND_BLOCK.length;
          const length = Math.min(SEND_BLOCK.length - offset, plan.send - sent);
          const n = stream.write(offset === 0 ? SEND_BLOCK : SEND_BLOCK.subarray(offset), length);
          if (n <= 0) break;
          sent += n;
        }
        if (sent === plan.send) stream.close(); // half-close: FIN after the queued bytes
      },
    );

    pair.open();
  });
}

export const cfClient: Client = {
  async download(port) {
    return (await transfer(port, { send: 0, keep: false })).bytes;
  },
  async upload(port, size) {
    return decodeCount((await transfer(port, { send: size, keep: true })).data);
  },
  async echo(port, size) {
    return (await transfer(port, { send: size, keep: false })).bytes;
  },
};
