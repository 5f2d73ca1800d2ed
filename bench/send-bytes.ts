/** What the bench's source servers (plain and TLS) do: send `size` bytes in 1 MiB writes, then FIN. */
import { once } from 'node:events';
import type { Socket } from 'node:net';

const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);

/** Writes `size` bytes to `socket`, honouring 'drain', then ends it. */
export async function sendBytes(socket: Socket, size: number): Promise<void> {
  let left = size;
  while (left > 0 && !socket.destroyed) {
    const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
    left -= chunk.length;
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
}
