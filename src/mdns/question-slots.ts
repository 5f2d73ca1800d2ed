/**
 * The questions a live view asks for its instances' missing records, within
 * a budget: at most `limit` instances ask at once; others wait in turn, and
 * an instance that has asked for `turnMs` without an answer yields its slot
 * to the next. A legitimate responder sends SRV, TXT and addresses with its
 * PTR answers (RFC 6763 §12), so a view rarely asks at all; the budget is
 * for a peer announcing thousands of instances it never resolves, which
 * would otherwise put thousands of questions on the querier and the wire.
 */
import type { Clock } from '../clock.js';

/** Where questions go. */
export interface QuestionHost {
  readonly clock: Clock;
  /** Asks until the returned release is called. */
  ask(name: string, type: number): () => void;
}

interface Held {
  readonly asks: Map<string, () => void>;
  since: number;
}

/** Questions by owner ("name|type" keys), within a budget of owners. */
export class QuestionSlots<T> {
  readonly #host: QuestionHost;
  readonly #limit: number;
  readonly #turnMs: number;
  readonly #wake: (owner: T) => void;
  readonly #held = new Map<T, Held>();
  readonly #queue = new Set<T>();

  /** `wake(owner)`: a waiting owner got a slot and should say again what it wants. */
  constructor(host: QuestionHost, limit: number, turnMs: number, wake: (owner: T) => void) {
    this.#host = host;
    this.#limit = limit;
    this.#turnMs = turnMs;
    this.#wake = wake;
  }

  /** How many owners ask now, and how many wait. */
  get counts(): { asking: number; waiting: number } {
    return { asking: this.#held.size, waiting: this.#queue.size };
  }

  /** Holds exactly the questions in `want` for `owner` (an empty set releases), or queues it. */
  set(owner: T, want: ReadonlySet<string>): void {
    if (want.size === 0) {
      this.release(owner);
      return;
    }
    let held = this.#held.get(owner);
    if (held === undefined) {
      if (this.#held.size >= this.#limit) {
        this.#queue.add(owner);
        return;
      }
      held = { asks: new Map(), since: this.#host.clock.now() };
      this.#held.set(owner, held);
      this.#queue.delete(owner);
    }
    for (const [key, release] of held.asks) {
      if (want.has(key)) continue;
      release();
      held.asks.delete(key);
    }
    for (const key of want) {
      if (held.asks.has(key)) continue;
      const bar = key.lastIndexOf('|');
      held.asks.set(key, this.#host.ask(key.slice(0, bar), Number(key.slice(bar + 1))));
    }
  }

  /** Releases every question of `owner`; its slot goes to the next in turn. */
  release(owner: T): void {
    this.#queue.delete(owner);
    const held = this.#held.get(owner);
    if (held === undefined) return;
    this.#drop(owner, held);
    this.#admitNext();
  }

  /**
   * Owners that asked for a whole turn go to the back of the queue when
   * others wait. Returns when to call again (Infinity: nothing to rotate).
   */
  rotate(now: number): number {
    if (this.#queue.size === 0) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const [owner, held] of [...this.#held]) {
      if (now - held.since < this.#turnMs) {
        next = Math.min(next, held.since + this.#turnMs);
        continue;
      }
      this.#drop(owner, held);
      this.#queue.add(owner);
      this.#admitNext();
    }
    return next === Number.POSITIVE_INFINITY && this.#queue.size > 0 ? now + this.#turnMs : next;
  }

  /** Releases everything. */
  close(): void {
    for (const [owner, held] of [...this.#held]) this.#drop(owner, held);
    this.#queue.clear();
  }

  #drop(owner: T, held: Held): void {
    for (const release of held.asks.values()) release();
    this.#held.delete(owner);
  }

  #admitNext(): void {
    const [first] = this.#queue;
    if (first === undefined || this.#held.size >= this.#limit) return;
    this.#queue.delete(first);
    this.#wake(first);
  }
}
