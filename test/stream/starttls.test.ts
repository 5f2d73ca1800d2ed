/**
 * STARTTLS as a state of the pair (src/stream/pair-state.ts, starttls.ts):
 * writes made while the handshake runs wait, and complete with the upgrade's
 * error when it fails, or with a cancellation when the pair is closed during it.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import {
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  StreamEvent,
  StreamStatus,
} from '../../src/constants.js';
import { ErrorDomain } from '../../src/error-codes.js';
import { Host } from '../../src/host/host.js';
import { PairCore } from '../../src/stream/pair-core.js';
import { ReadStream } from '../../src/stream/read-stream.js';
import { WriteStream } from '../../src/stream/write-stream.js';
import { startServer, waitFor } from '../support/tcp-peers.js';

const TLS_HANDSHAKE_RECORD = 0x16;

/** A pair built by hand, so the test can write through its core as the write stream does. */
function pairTo(port: number): { core: PairCore; rs: ReadStream; ws: WriteStream } {
  const core = new PairCore({ kind: 'host', host: Host.withName('127.0.0.1'), port });
  const rs = new ReadStream(core);
  const ws = new WriteStream(core);
  core.readStream = rs;
  core.writeStream = ws;
  return { core, rs, ws };
}

/** Opens the pair and waits until both streams are Open. */
async function openPair(rs: ReadStream, ws: WriteStream): Promise<void> {
  rs.open();
  ws.open();
  await waitFor(
    () => rs.getStatus() === StreamStatus.Open && ws.getStatus() === StreamStatus.Open,
    5000,
    'the pair to open',
  );
}

describe('STARTTLS state', () => {
  it('fails the writes queued during a failed upgrade with the upgrade error', async () => {
    // The peer hangs up on the ClientHello: the handshake cannot complete.
    const server = await startServer((socket: Socket) => {
      socket.on('data', (bytes: Buffer) => {
        if (bytes[0] === TLS_HANDSHAKE_RECORD) socket.destroy();
      });
    });
    const { core, rs, ws } = pairTo(server.port);
    try {
      await openPair(rs, ws);
      const failed = new Promise<void>((resolve) =>
        ws.setClient(StreamEvent.ErrorOccurred, () => resolve()),
      );
      assert.equal(
        rs.setProperty(
          kCFStreamPropertySocketSecurityLevel,
          kCFStreamSocketSecurityLevelNegotiatedSSL,
        ),
        true,
      );
      const outcomes: Array<Error | null | undefined> = [];
      core.write(Buffer.from('first'), (error) => outcomes.push(error));
      core.write(Buffer.from('second'), (error) => outcomes.push(error));
      await failed;
      const failure = ws.copyError();
      assert.ok(failure !== null);
      // Each waiting write was told, once, with the error the streams report.
      assert.equal(outcomes.length, 2, 'a write queued during the upgrade was dropped silently');
      for (const error of outcomes) assert.equal(error, failure);
      // The pair is failed now: a later write fails at once with the same error.
      let later: Error | null | undefined;
      core.write(Buffer.from('later'), (error) => {
        later = error;
      });
      assert.equal(later, failure);
    } finally {
      rs.close();
      ws.close();
      await server.close();
    }
  });

  it('fails the writes queued during an upgrade when the pair is closed', async () => {
    // The peer never answers the ClientHello: the upgrade is still running when the pair closes.
    const server = await startServer(() => {});
    const { core, rs, ws } = pairTo(server.port);
    try {
      await openPair(rs, ws);
      assert.equal(
        ws.setProperty(
          kCFStreamPropertySocketSecurityLevel,
          kCFStreamSocketSecurityLevelNegotiatedSSL,
        ),
        true,
      );
      const outcomes: Array<Error | null | undefined> = [];
      core.write(Buffer.from('waiting'), (error) => outcomes.push(error));
      assert.equal(core.writableLength, 7, 'the write waits for the handshake');
      rs.close();
      ws.close();
      assert.equal(outcomes.length, 1);
      const error = outcomes[0] as { domain?: number; message?: string };
      assert.equal(error.domain, ErrorDomain.POSIX);
      assert.match(String(error.message), /closed during STARTTLS/);
    } finally {
      rs.close();
      ws.close();
      await server.close();
    }
  });
});
