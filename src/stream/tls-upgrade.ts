/**
 * STARTTLS: securing a connection that is already open. The order matters:
 * bytes read before the upgrade are plain application data and go to the
 * reader first; bytes written before the upgrade must leave in clear before
 * the handshake starts; nothing written after it leaves in clear.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type OpenProperties, secureIfAsked } from './open-pipeline.js';

/** Hands over what was already read, lets earlier writes go, then runs the TLS handshake on `socket`. */
export async function upgradeToTLS(
  socket: Socket,
  hostName: string | undefined,
  properties: OpenProperties,
  signal: AbortSignal,
  onPlainBytes: (chunk: Buffer) => void,
): Promise<Duplex> {
  socket.pause();
  for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) {
    onPlainBytes(chunk);
  }
  // The TLS layer writes to the socket's handle directly: queued plain writes would come after it.
  while (socket.writableLength > 0) {
    await Promise.race([once(socket, 'drain', { signal }), once(socket, 'close', { signal })]);
    if (socket.destroyed) break;
  }
  return secureIfAsked(socket, hostName, properties, signal);
}
