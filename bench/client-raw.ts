/** The baseline: a plain net.Socket, 'data' events in, write() with 'drain' out. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { blocks, type Client, decodeCount } from './workload.js';

const open = async (port: number): Promise<Socket> => {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
};

async function sendAll(socket: Socket, size: number): Promise<void> {
  for (const block of blocks(size)) {
    if (!socket.write(block)) await once(socket, 'drain');
  }
  socket.end();
}

/** Counts what arrives until the peer's FIN; resolves with the count, or with the bytes themselves. */
function collect(socket: Socket, keep: boolean): Promise<{ bytes: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const kept: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keep) kept.push(chunk);
    });
    socket.once('end', () => resolve({ bytes, data: Buffer.concat(kept) }));
    socket.once('error', reject);
  });
}

export const rawClient: Client = {
  async download(port) {
    const socket = await open(port);
    const { bytes } = await collect(socket, false);
    socket.destroy();
    return bytes;
  },
  async upload(port, size) {
    const socket = await open(port);
    const reply = collect(socket, true);
    await sendAll(socket, size);
    const { data } = await reply;
    socket.destroy();
    return decodeCount(data);
  },
  async echo(port, size) {
    const socket = await open(port);
    const back = collect(socket, false);
    await sendAll(socket, size);
    const { bytes } = await back;
    socket.destroy();
    return bytes;
  },
};
