/**
 * What a read stream and a write stream have in common: the status machine,
 * the client callback, run-loop scheduling, `events$`, errors and the
 * properties shared with the other stream of the pair. Events leave a stream
 * through one place (`signal`) and reach callers on its run loop, never inside
 * the call that caused them.
 */
import type { Observable } from 'rxjs';
import {
  kCFRunLoopDefaultMode,
  StreamEvent,
  type StreamEventType,
  StreamStatus,
} from '../constants.js';
import type { CFStreamError, StreamError } from '../errors.js';
import { RunLoop, type RunLoopMode } from '../runloop.js';
import { newObservable } from '../rx.js';
import type { PairLink, PairSide } from './stream-interfaces.js';

/** One event of a stream, as `events$` emits it. */
export interface StreamEventRecord<S extends SocketStream = SocketStream> {
  readonly type: StreamEventType;
  readonly stream: S;
  /** The stream's error, on ErrorOccurred. */
  readonly error?: StreamError;
}

/** A client callback, as CF's `(stream, eventType, clientCallBackInfo)`. */
export type StreamClientCallback<S extends SocketStream = SocketStream> = (
  stream: S,
  type: StreamEventType,
  info: unknown,
) => void;

/** @internal Receives a stream's events, then its completion. */
export interface StreamListener<S extends SocketStream = SocketStream> {
  next(event: StreamEventRecord<S>): void;
  complete(): void;
}
type Listener = StreamListener;
// A run loop and mode the stream is scheduled on, with its own delivery task (made once, when
// the stream is scheduled there).
interface Schedule {
  readonly loop: RunLoop;
  readonly mode: RunLoopMode;
  readonly deliver: () => void;
}

const TERMINAL_EVENTS = StreamEvent.ErrorOccurred | StreamEvent.EndEncountered;
const LEVEL_EVENTS = StreamEvent.HasBytesAvailable | StreamEvent.CanAcceptBytes;
const NO_ERROR: CFStreamError = Object.freeze({ domain: 0, error: 0 });

/*
 * The queue of waiting events. Each type waits at most once per batch: a level event
 * (HasBytesAvailable, CanAcceptBytes) is coalesced while it waits, and OpenCompleted,
 * ErrorOccurred and EndEncountered follow a status change that happens once. So a batch is at
 * most five events, each a 3-bit code (1 + the bit number of its type), packed into a number
 * with the newest in the low bits.
 */
const CODE_BITS = 3;
const CODE_MASK = 0b111;

function queueEvent(pending: number, type: StreamEventType): number {
  return (pending << CODE_BITS) | (32 - Math.clz32(type));
}

function typeOfCode(code: number): StreamEventType {
  return (1 << (code - 1)) as StreamEventType;
}

function isQueued(pending: number, type: StreamEventType): boolean {
  const code = 32 - Math.clz32(type);
  for (let rest = pending; rest !== 0; rest >>>= CODE_BITS)
    if ((rest & CODE_MASK) === code) return true;
  return false;
}

// Where the oldest code of a non-empty queue starts (codes are never 0, so the top one is the oldest).
function oldestShift(pending: number): number {
  return (Math.ceil((32 - Math.clz32(pending)) / CODE_BITS) - 1) * CODE_BITS;
}

/** The shared base of ReadStream and WriteStream. */
export abstract class SocketStream implements PairSide {
  /** @internal The connection both streams of the pair share. */
  protected readonly core: PairLink;
  #status: StreamStatus = StreamStatus.NotOpen;
  #error: StreamError | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the callback is typed by setClient's `this`.
  #client: { mask: number; callback: StreamClientCallback<any>; info: unknown } | undefined;
  // Made on first use: most streams never get a listener, and an idle one has nothing pending.
  #listeners: Set<Listener> | undefined;
  // The events waiting for delivery, oldest first, as 3-bit codes packed into one number (see
  // queueEvent): signalling allocates nothing, and an idle stream holds no array.
  #pending = 0;
  #posted = false;
  // undefined: the implicit default schedule (RunLoop.main, default mode).
  #schedules: Schedule[] | undefined;
  // The default schedule's task is one function for every stream (the stream is its argument):
  // no closure per stream.
  static readonly #deliverByDefault = (stream: SocketStream): void => stream.#deliver(undefined);

  /** @internal Streams are made by the pair factories. */
  constructor(core: PairLink) {
    this.core = core;
  }

  /** The stream's status (CFReadStreamGetStatus). */
  getStatus(): StreamStatus {
    return this.#status;
  }

  /** Starts opening the pair; false when this stream was already opened or closed. */
  open(): boolean {
    if (!this.moveTo(StreamStatus.Opening)) return false;
    this.core.requestOpen(this);
    return true;
  }

  /** Closes this stream; nothing is delivered to it afterwards. Closing twice does nothing. */
  close(): void {
    if (!this.moveTo(StreamStatus.Closed)) return;
    this.#pending = 0;
    this.releaseSide();
    this.core.streamClosed();
    const listeners = [...(this.#listeners ?? [])];
    this.#listeners = undefined;
    // Completion is a notification too: it reaches subscribers on the run loop, not inside close().
    if (listeners.length > 0) {
      const target =
        this.#schedules === undefined
          ? { loop: RunLoop.main, mode: kCFRunLoopDefaultMode }
          : this.#deliveryTargets(this.#schedules)[0];
      target?.loop.post(() => {
        for (const listener of listeners) listener.complete();
      }, target.mode);
    }
  }

  /** The error as CF's struct; `{ domain: 0, error: 0 }` when there is none (CFReadStreamGetError). */
  getError(): CFStreamError {
    return this.#error?.toCFStreamError() ?? NO_ERROR;
  }

  /** The error, or null (CFReadStreamCopyError). */
  copyError(): StreamError | null {
    return this.#error ?? null;
  }

  /**
   * Sets a property shared by both streams of the pair. Returns false for an
   * unsupported or read-only key, or one that can no longer change; throws a
   * TypeError or RangeError for a value of the wrong type or range.
   */
  setProperty(key: string, value: unknown): boolean {
    return this.core.setProperty(key, value);
  }

  /** A property's value, or undefined when not set (CFReadStreamCopyProperty). */
  copyProperty(key: string): unknown {
    return this.core.copyProperty(key);
  }

  /**
   * Sets (or with a null callback, removes) the one client of this stream: the
   * callback gets `(stream, eventType, info)` for each event in `eventMask`.
   */
  setClient(
    eventMask: number,
    callback: StreamClientCallback<this> | null,
    info?: unknown,
  ): boolean {
    if (callback === null || eventMask === StreamEvent.None) {
      this.#client = undefined;
      return true;
    }
    if (typeof callback !== 'function')
      throw new TypeError('client callback must be a function or null');
    if (!Number.isInteger(eventMask) || eventMask < 0)
      throw new TypeError('eventMask must be a non-negative integer');
    this.#client = { mask: eventMask, callback, info };
    return true;
  }

  /**
   * Adds `runLoop` in `mode` to the places this stream's events are delivered
   * (the first call replaces the default, RunLoop.main in the default mode).
   * As in CF a stream may be scheduled on several run loops and modes; each
   * event still reaches the client once, in order. When events are waiting,
   * their delivery goes to the first schedule (in the order they were added)
   * whose run loop is in that mode at that moment; when none is, it waits on
   * every schedule and the first run loop to switch to its mode delivers.
   */
  scheduleWithRunLoop(runLoop: RunLoop, mode: RunLoopMode = kCFRunLoopDefaultMode): void {
    if (!(runLoop instanceof RunLoop)) throw new TypeError('runLoop must be a RunLoop');
    if (typeof mode !== 'string') throw new TypeError('mode must be a run loop mode name');
    const schedules = this.#schedules ?? [];
    if (!schedules.some((s) => s.loop === runLoop && s.mode === mode))
      schedules.push(this.#scheduleOn(runLoop, mode));
    this.#schedules = schedules;
    this.#repost();
  }

  /** Stops delivery on `runLoop` in `mode`; with no schedule left, events wait until the stream is scheduled again. */
  unscheduleFromRunLoop(runLoop: RunLoop, mode: RunLoopMode = kCFRunLoopDefaultMode): void {
    const schedules = this.#schedules ?? [this.#scheduleOn(RunLoop.main, kCFRunLoopDefaultMode)];
    this.#schedules = schedules.filter((s) => s.loop !== runLoop || s.mode !== mode);
    this.#repost();
  }

  /**
   * The stream's events, on its run loop. Completes after ErrorOccurred or
   * EndEncountered (delivered as values) and when the stream is closed.
   */
  get events$(): Observable<StreamEventRecord<this>> {
    return newObservable<StreamEventRecord<this>>((subscriber) => {
      if (this.#status === StreamStatus.Closed) {
        subscriber.complete();
        return;
      }
      const listener = subscriber as unknown as Listener;
      this.#listeners ??= new Set();
      this.#listeners.add(listener);
      return () => this.#listeners?.delete(listener);
    });
  }

  /** @internal Adds an internal listener (the Node adapters); returns its removal. */
  listen(listener: StreamListener<this>): () => void {
    const wrapped = listener as unknown as Listener;
    this.#listeners ??= new Set();
    this.#listeners.add(wrapped);
    return () => this.#listeners?.delete(wrapped);
  }

  /** @internal The pair has connected: Opening streams become Open. */
  connectionReady(): void {
    if (!this.moveTo(StreamStatus.Open)) return;
    this.signal(StreamEvent.OpenCompleted);
    this.afterOpen();
  }

  /** @internal The pair could not connect, or the connection broke. */
  connectionFailed(error: StreamError): void {
    this.fail(error);
  }

  /** Moves to Error and reports it once. */
  protected fail(error: StreamError): void {
    if (!this.moveTo(StreamStatus.Error)) return;
    this.#error = error;
    this.signal(StreamEvent.ErrorOccurred);
  }

  /**
   * The one place status changes. Returns false (and changes nothing) for a
   * transition the machine does not have:
   *
   *   NotOpen -open()-> Opening -connected-> Open -end of data-> AtEnd
   *      |                 |                   |                   |
   *      |                 +---- failure ----> Error <- failure ---+ (write side only)
   *      +------------ close() from every state --> Closed
   *
   * Reading and Writing are CF's states for a thread blocked inside read() or
   * write(); calls here never block, so a stream is never seen in them.
   */
  protected moveTo(next: StreamStatus): boolean {
    const current = this.#status;
    let allowed: boolean;
    switch (next) {
      case StreamStatus.NotOpen:
        allowed = false;
        break;
      case StreamStatus.Opening:
        allowed = current === StreamStatus.NotOpen;
        break;
      case StreamStatus.Open:
        allowed = current === StreamStatus.Opening;
        break;
      case StreamStatus.Reading:
      case StreamStatus.Writing:
        allowed = false;
        break;
      case StreamStatus.AtEnd:
        allowed = current === StreamStatus.Open;
        break;
      case StreamStatus.Error:
        allowed = current === StreamStatus.Opening || current === StreamStatus.Open;
        break;
      case StreamStatus.Closed:
        allowed = current !== StreamStatus.Closed;
        break;
    }
    if (allowed) this.#status = next;
    return allowed;
  }

  /** @internal True until the stream is closed or has failed: it may still use the connection. */
  holdsConnection(): boolean {
    return this.#status !== StreamStatus.Closed && this.#status !== StreamStatus.Error;
  }

  /** Queues an event for delivery on the run loop; ErrorOccurred carries the stream's error. */
  protected signal(type: StreamEventType): void {
    if (this.#status === StreamStatus.Closed) return;
    // A level event still waiting for delivery already says what a second one would.
    if ((type & LEVEL_EVENTS) !== 0 && isQueued(this.#pending, type)) return;
    this.#pending = queueEvent(this.#pending, type);
    this.#postPending();
  }

  /** Whether an event queued earlier no longer holds when it is about to be delivered. */
  protected isStale(_type: StreamEventType): boolean {
    return false;
  }

  /** @internal The connection broke after it was open. */
  abstract acceptError(error: StreamError): void;

  /** The side's work once the pair is open (signal what the new state allows). */
  protected abstract afterOpen(): void;

  /** The side's work on close() (drop buffers, half-close). */
  protected abstract releaseSide(): void;

  #isClosed(): boolean {
    return this.#status === StreamStatus.Closed;
  }

  #scheduleOn(loop: RunLoop, mode: RunLoopMode): Schedule {
    const schedule: Schedule = { loop, mode, deliver: () => this.#deliver(schedule) };
    return schedule;
  }

  /**
   * Where the next delivery goes (see scheduleWithRunLoop): the first
   * schedule whose run loop runs its mode now, or, when none does, all of them.
   */
  #deliveryTargets(schedules: readonly Schedule[]): readonly Schedule[] {
    const running = schedules.find((s) => s.loop.runsMode(s.mode));
    return running !== undefined ? [running] : schedules;
  }

  #postPending(): void {
    if (this.#posted || this.#pending === 0) return;
    const schedules = this.#schedules;
    if (schedules === undefined) {
      RunLoop.main.post(SocketStream.#deliverByDefault, kCFRunLoopDefaultMode, this);
      this.#posted = true;
      return;
    }
    const targets = this.#deliveryTargets(schedules);
    for (const schedule of targets) schedule.loop.post(schedule.deliver, schedule.mode);
    this.#posted = targets.length > 0;
  }

  // The schedules changed: post again so the waiting events follow them. A copy posted before
  // finds its schedule gone (or the events delivered) and does nothing.
  #repost(): void {
    this.#posted = false;
    this.#postPending();
  }

  /** Runs on a run loop: hands the pending events to the client and listeners. */
  #deliver(from: Schedule | undefined): void {
    // Posted through a schedule removed since, or already delivered through another run loop.
    if (from === undefined ? this.#schedules !== undefined : !this.#schedules?.includes(from))
      return;
    const batch = this.#pending;
    if (batch === 0) return;
    this.#posted = false;
    this.#pending = 0;
    for (let shift = oldestShift(batch); shift >= 0; shift -= CODE_BITS) {
      const type = typeOfCode((batch >>> shift) & CODE_MASK);
      if (this.#isClosed()) return;
      if (this.isStale(type)) continue;
      const client = this.#client;
      if (client !== undefined && (client.mask & type) !== 0)
        client.callback(this, type, client.info);
      if (this.#listeners !== undefined) {
        // The record exists only for listeners (events$, the Node adapters); a client needs none.
        const error = this.#error;
        const event: StreamEventRecord =
          type === StreamEvent.ErrorOccurred && error !== undefined
            ? { type, stream: this, error }
            : { type, stream: this };
        for (const listener of [...this.#listeners]) {
          if (this.#isClosed()) return;
          listener.next(event);
        }
      }
      if ((type & TERMINAL_EVENTS) !== 0 && this.#listeners !== undefined) {
        const listeners = [...this.#listeners];
        this.#listeners = undefined;
        for (const listener of listeners) listener.complete();
      }
    }
    // Events signalled by the callbacks above go out in a later task, after everything queued before them.
    this.#postPending();
  }
}
