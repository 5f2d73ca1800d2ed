/** The open of a service whose resolution does not connect resolves again (service-reconnect.ts). */
import assert from 'node:assert/strict';
import { type ConnectableService, openConnection } from '../../src/stream/open-pipeline.js';
import { startEchoServer } from '../support/tcp-peers.js';

const properties = { property: () => undefined };
const at = (port: number) => ({
  hostName: 'mover.local',
  port,
  addresses: [{ address: '127.0.0.1', family: 4 as const }],
});

/** A port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const server = await startEchoServer();
  await server.close();
  return server.port;
}

describe('opening a service that moved', () => {
  it('connects to the fresh resolution after the first one is refused, and says what failed', async () => {
    const echo = await startEchoServer();
    const stale = at(await closedPort());
    const asked: unknown[] = [];
    const service: ConnectableService = {
      resolveForConnect: async () => stale,
      resolveAgain: async (_signal, failed) => {
        asked.push(failed);
        return at(echo.port);
      },
      toString: () => 'Mover._echo._tcp.local.',
    };
    try {
      const opened = await openConnection(
        { kind: 'service', service },
        properties,
        new AbortController().signal,
      );
      assert.equal(opened.socket.remotePort, echo.port);
      assert.equal(opened.hostName, 'mover.local');
      assert.deepEqual(asked, [stale]);
      opened.socket.destroy();
    } finally {
      await echo.close();
    }
  });

  it('with no different answer, the connection error stands', async () => {
    const stale = at(await closedPort());
    const service: ConnectableService = {
      resolveForConnect: async () => stale,
      resolveAgain: async () => undefined,
      toString: () => 'Mover._echo._tcp.local.',
    };
    await assert.rejects(
      openConnection({ kind: 'service', service }, properties, new AbortController().signal),
      (error: Error) => /ECONNREFUSED/.test(error.message),
    );
  });
});
