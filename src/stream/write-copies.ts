/**
 * Copies for CF-style writes. CF's write() copies the caller's bytes (the
 * buffer may be reused as soon as the call returns); a fresh Buffer per call
 * made allocation and GC most of the cost of a CF upload (docs/performance.md).
 * Copies go instead into 1 MiB slabs, bump-allocated, and a slab is reused
 * once every write copied into it has been flushed to the kernel.
 */

/**
 * The largest copy one write() takes. 1 MiB, as the largest writes callers
 * make: with 256 KiB slabs a 1 MiB write cost four write() calls and four
 * socket writes, and a CF upload in 1 MiB writes took 1.3-1.9x raw's client
 * CPU per GiB (1.1-1.4x with 1 MiB slabs; what is left is mostly the copy
 * itself, docs/performance.md).
 */
export const SLAB_SIZE = 1024 * 1024;
// Idle slabs kept for the whole process (2 MiB); the rest go to the garbage collector. One
// writer needs two: one still flushing while the next write fills the other.
const MAX_FREE_SLABS = 2;
const freeSlabs: Buffer[] = [];

interface Slab {
  readonly buffer: Buffer;
  used: number;
  inflight: number;
  retired: boolean;
}

/** One writer's slab: holds one only while its copies are in flight. */
export class WriteCopies {
  #slab: Slab | undefined;

  /**
   * Copies the first `length` bytes of `source` (at most SLAB_SIZE) and
   * returns the copy with the function to call once it has been flushed
   * (idempotent).
   */
  copy(source: Uint8Array, length: number): { chunk: Buffer; release: () => void } {
    const size = Math.min(length, SLAB_SIZE);
    let slab = this.#slab;
    if (slab === undefined || SLAB_SIZE - slab.used < size) {
      if (slab !== undefined) retire(slab);
      slab = {
        buffer: freeSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_SIZE),
        used: 0,
        inflight: 0,
        retired: false,
      };
      this.#slab = slab;
    }
    const start = slab.used;
    slab.used += size;
    slab.inflight++;
    const chunk = slab.buffer.subarray(start, start + size);
    chunk.set(source.subarray(0, size));
    const owner = slab;
    let released = false;
    return {
      chunk,
      // May be called twice (at once, and by the write callback): only the first counts.
      release: () => {
        if (released) return;
        released = true;
        owner.inflight--;
        if (owner.inflight > 0) return;
        if (owner.retired) {
          recycle(owner);
        } else if (this.#slab === owner) {
          // Nothing in flight: an idle writer gives its slab back rather than holding it.
          this.#slab = undefined;
          recycle(owner);
        }
      },
    };
  }
}

function retire(slab: Slab): void {
  slab.retired = true;
  if (slab.inflight === 0) recycle(slab);
}

function recycle(slab: Slab): void {
  slab.retired = true; // never handed out again through this record
  if (freeSlabs.length < MAX_FREE_SLABS) freeSlabs.push(slab.buffer);
}
