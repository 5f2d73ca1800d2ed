/** The baseline: a plain net.Socket, driven by the shared stream client ('data' in, write() with 'drain' out). */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { streamClient } from './stream-client.js';

export const rawClient = streamClient<Socket>({
  async open(port) {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return socket;
  },
  close: (socket) => socket.destroy(),
});
