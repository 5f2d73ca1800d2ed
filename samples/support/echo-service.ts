/**
 * Shared by the samples: a TCP echo server on 127.0.0.1, advertised on the
 * local network as a Bonjour service, so a sample can connect to it by name.
 * A real program would connect to a service someone else publishes.
 */
import { createServer, type Server } from 'node:net';
import { NetService } from '../../src/index.js';

/** A running echo service: its full instance name and how to withdraw it. */
export interface EchoService {
  readonly instance: string;
  stop(): Promise<void>;
}

/** Starts an echo server and publishes it as `name` (renamed "name (2)" if taken). */
export async function startEchoService(name: string): Promise<EchoService> {
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const service = new NetService('local.', '_echo._tcp.', name, port);
  await service.publish();
  return {
    instance: service.toString(),
    async stop() {
      await service.stop(); // goodbyes (RFC 6762 §10.1)
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
