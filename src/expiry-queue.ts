/**
 * A binary min-heap of items by time: what the mDNS record cache uses to find
 * the next record to expire, the querier the next question to send (both
 * through expiry-alarm.ts), and the shared timer (shared-timer.ts) the next
 * call due, in O(log n) instead of scanning every record or question on each
 * packet (a flood of records must not burn the event loop). Items are never
 * removed from the middle: the owner skips stale ones when they surface and
 * `retain`s the live ones when too many stale ones pile up.
 */

interface Slot<T> {
  readonly at: number;
  readonly item: T;
}

/** Items ordered by their time, soonest first. */
export class ExpiryQueue<T> {
  #heap: Slot<T>[] = [];

  /** How many slots the heap holds, stale ones included. */
  get length(): number {
    return this.#heap.length;
  }

  /** Adds `item` due at `at`. */
  push(at: number, item: T): void {
    const heap = this.#heap;
    heap.push({ at, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Slot<T>).at <= at) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** The soonest slot, without removing it. */
  peek(): Slot<T> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the soonest slot. */
  pop(): Slot<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    this.#siftDown(0);
    return top;
  }

  /** Keeps only the slots `keep` accepts, in O(n). */
  retain(keep: (at: number, item: T) => boolean): void {
    this.#heap = this.#heap.filter((slot) => keep(slot.at, slot.item));
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Empties the queue. */
  clear(): void {
    this.#heap = [];
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && (heap[left] as Slot<T>).at < (heap[smallest] as Slot<T>).at)
        smallest = left;
      if (right < heap.length && (heap[right] as Slot<T>).at < (heap[smallest] as Slot<T>).at)
        smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const t = heap[a] as Slot<T>;
    heap[a] = heap[b] as Slot<T>;
    heap[b] = t;
  }
}
