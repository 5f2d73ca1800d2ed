/**
 * RunLoop: delivers stream events in order, never inside the call that caused
 * them. Node has one event loop; a RunLoop is a FIFO of tasks drained in a
 * setImmediate turn, with CF's modes deciding which tasks may run now. It is
 * also an RxJS SchedulerLike, so `observeOn(runLoop)` moves work onto it.
 * This is the one file that imports RxJS scheduler types (rxjs 8+ drops them).
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { kCFRunLoopCommonModes, kCFRunLoopDefaultMode } from './constants.js';
import { subscriptionBase } from './rx.js';

/** A run loop mode name; any string, as CFRunLoopMode. */
export type RunLoopMode = string;

// Bounds one drain so a client that keeps re-arming events cannot starve I/O.
const TASKS_PER_TURN = 65536;

// The queue's arrays are kept between turns up to this many slots.
const MAX_KEPT_TASKS = 1024;

function noTask(): void {}

/** An ordered, non-re-entrant task queue driven by Node's event loop. */
export class RunLoop implements SchedulerLike {
  /** The run loop every stream is scheduled on unless told otherwise. */
  static readonly main = new RunLoop();

  // Three parallel arrays: a task, its mode, and the argument it is called with (so a stream can
  // post one shared function with itself as the argument instead of a closure of its own).
  #tasks: Array<(arg?: unknown) => void> = [];
  #modes: RunLoopMode[] = [];
  #args: unknown[] = [];
  #head = 0;
  // The end of the queue: the arrays are kept and refilled from 0 once drained, so a turn
  // allocates no new arrays (two turns per pair open, docs/performance.md).
  #tail = 0;
  #held: Array<{ task: (arg?: unknown) => void; mode: RunLoopMode; arg: unknown }> = [];
  #mode: RunLoopMode = kCFRunLoopDefaultMode;
  #commonModes = new Set<RunLoopMode>([kCFRunLoopDefaultMode]);
  #immediate: NodeJS.Immediate | undefined;

  /** The mode the loop runs in; tasks of other modes wait until it switches to theirs. */
  get currentMode(): RunLoopMode {
    return this.#mode;
  }

  /** Switches the mode; tasks held for the new mode run next, in the order they were posted. */
  set currentMode(mode: RunLoopMode) {
    if (typeof mode !== 'string' || mode === kCFRunLoopCommonModes) {
      throw new TypeError('currentMode must be a mode name other than kCFRunLoopCommonModes');
    }
    this.#mode = mode;
    const held = this.#held;
    this.#held = [];
    for (const { task, mode: taskMode, arg } of held) this.post(task, taskMode, arg);
  }

  /** Adds a mode to the set that kCFRunLoopCommonModes stands for, as CFRunLoopAddCommonMode. */
  addCommonMode(mode: RunLoopMode): void {
    this.#commonModes.add(mode);
  }

  /** True when a task posted for `mode` may run in the current mode. */
  runsMode(mode: RunLoopMode): boolean {
    if (mode === this.#mode) return true;
    return mode === kCFRunLoopCommonModes && this.#commonModes.has(this.#mode);
  }

  /** Queues `task(arg)` to run after the current call stack, after every task posted before it. */
  post<T>(task: (arg: T) => void, mode: RunLoopMode = kCFRunLoopCommonModes, arg?: T): void {
    const index = this.#tail++;
    this.#tasks[index] = task as (arg?: unknown) => void;
    this.#modes[index] = mode;
    this.#args[index] = arg;
    this.#immediate ??= setImmediate(this.#drain);
  }

  /** Milliseconds, for RxJS. */
  now(): number {
    return Date.now();
  }

  /** Schedules RxJS work on this loop, after `delay` ms if given. */
  schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    runLoopAction ??= defineRunLoopAction();
    return new runLoopAction(this, work).schedule(state, delay);
  }

  #drain = (): void => {
    this.#immediate = undefined;
    const tasks = this.#tasks;
    const modes = this.#modes;
    const args = this.#args;
    let ran = 0;
    while (this.#head < this.#tail && ran < TASKS_PER_TURN) {
      const index = this.#head++;
      const task = tasks[index]!;
      const mode = modes[index]!;
      const arg = args[index];
      // Do not keep a finished task (a closure) or its argument alive.
      tasks[index] = noTask;
      args[index] = undefined;
      if (!this.runsMode(mode)) {
        this.#held.push({ task, mode, arg });
        continue;
      }
      ran++;
      try {
        task(arg);
      } catch (error) {
        // A throwing client must not stop delivery to everyone else; surface it as Node would.
        process.nextTick(() => {
          throw error;
        });
      }
    }
    if (this.#head < this.#tail) {
      this.#immediate = setImmediate(this.#drain);
    } else if (tasks.length > MAX_KEPT_TASKS) {
      // A burst grew the queue: let its arrays go rather than hold them for good.
      this.#tasks = [];
      this.#modes = [];
      this.#args = [];
      this.#head = 0;
      this.#tail = 0;
    } else {
      this.#head = 0;
      this.#tail = 0;
    }
  };
}

/** A scheduled piece of RxJS work: what `RunLoop.schedule` returns. */
type RunLoopActionClass = new <T>(
  loop: RunLoop,
  work: (this: SchedulerAction<T>, state?: T) => void,
) => SchedulerAction<T>;

// Made on the first `schedule()`: the class extends RxJS's Subscription, which is only loaded
// once RxJS is in use (src/rx.ts), and RxJS is the only caller of `schedule()`.
let runLoopAction: RunLoopActionClass | undefined;

/** Defines the action class on RxJS's Subscription, once. */
function defineRunLoopAction(): RunLoopActionClass {
  /** One scheduled piece of RxJS work; re-schedulable, cancelled by unsubscribe. */
  return class RunLoopAction<T> extends subscriptionBase() implements SchedulerAction<T> {
    readonly #loop: RunLoop;
    readonly #work: (this: SchedulerAction<T>, state?: T) => void;
    #state: T | undefined;
    #timer: NodeJS.Timeout | undefined;
    #queued = false;

    constructor(loop: RunLoop, work: (this: SchedulerAction<T>, state?: T) => void) {
      super();
      this.#loop = loop;
      this.#work = work;
      this.add(() => clearTimeout(this.#timer));
    }

    schedule(state?: T, delay = 0): Subscription {
      if (this.closed) return this;
      this.#state = state;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      if (delay > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#enqueue();
        }, delay);
      } else {
        this.#enqueue();
      }
      return this;
    }

    #enqueue(): void {
      if (this.#queued) return;
      this.#queued = true;
      this.#loop.post(this.#run);
    }

    #run = (): void => {
      this.#queued = false;
      if (this.closed) return;
      try {
        this.#work.call(this, this.#state);
      } catch (error) {
        this.unsubscribe();
        throw error;
      }
    };
  };
}
