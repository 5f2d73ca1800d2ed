/**
 * Where one resolve's time goes, told by its UDP socket (bench/wide-area-layers.ts):
 *
 *   before send   from the clock's start to the query's `send()` call: our code
 *                 before the datagram (the layers, the socket, its listeners);
 *   send          the `send()` call itself: dgram binds and sends within it when
 *                 the address needs no lookup (the library's case; the raw query's
 *                 lookups defer its bind and send to later ticks, into "wait");
 *   after send    the rest of the caller's call, once send() has returned (the
 *                 library registers its waits; overlaps the server's work);
 *   wait          from then until the reply's 'message' event;
 *   after reply   from that event to the caller: reading and checking the reply,
 *                 caching it, and every promise up to the caller.
 *
 * Measured by wrapping dgram's Socket `send` and `emit` in this process while
 * a run lasts; the library is not changed.
 */
import { Socket } from 'node:dgram';

/** The marks of the last datagram sent and the last reply received, in ms. */
interface Marks {
  sendStart: number;
  sendEnd: number;
  message: number;
}

/** The five phases of one timed step, in ms. */
export type Phases = readonly [
  beforeSend: number,
  send: number,
  afterSend: number,
  wait: number,
  afterReply: number,
];

/**
 * Wraps Socket#send and #emit until `stop()`; `phases` splits a step timed
 * from `started` to `ended` whose call returned its promise at `returned`.
 */
export function watchSockets(): {
  phases(started: number, returned: number, ended: number): Phases;
  stop(): void;
} {
  const marks: Marks = { sendStart: 0, sendEnd: 0, message: 0 };
  const { send, emit } = Socket.prototype;
  Socket.prototype.send = function (this: Socket, ...args: unknown[]) {
    marks.sendStart = performance.now();
    (send as (...a: unknown[]) => void).apply(this, args);
    marks.sendEnd = performance.now();
  } as typeof send;
  Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') marks.message = performance.now();
    return (emit as (e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
  return {
    phases: (started, returned, ended) => [
      marks.sendStart - started,
      marks.sendEnd - marks.sendStart,
      Math.max(0, returned - marks.sendEnd),
      marks.message - Math.max(returned, marks.sendEnd),
      ended - marks.message,
    ],
    stop() {
      Socket.prototype.send = send;
      Socket.prototype.emit = emit;
    },
  };
}
