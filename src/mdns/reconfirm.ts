/**
 * Reconfirmation (RFC 6762 §10.4): a cached record that something outside
 * the cache showed to be wrong -- a connection to the port and addresses it
 * gave failed -- is "in dispute". It is used no more, queried at least twice,
 * and flushed after ten seconds unless an answer renews it. Queries for it
 * carry no known answer for it (a doubted record is not sent as known, §7.1),
 * so a responder that still owns the record answers.
 */
import type { Clock, Timer } from '../clock.js';
import { typeCode } from '../dns/wire-types.js';
import type { Querier } from './querier.js';
import type { CacheEntry, RecordCache } from './record-cache.js';

/** §10.4: how long a record in dispute has to be confirmed before it is flushed. */
export const RECONFIRM_WAIT_MS = 10_000;

/** The reconfirmations of one engine. */
export class Reconfirmer {
  readonly #clock: Clock;
  readonly #cache: RecordCache;
  readonly #querier: Querier;
  // Each running reconfirmation: its timer and the questions it keeps asked.
  readonly #running = new Set<{ timer: Timer; releases: (() => void)[] }>();

  constructor(clock: Clock, cache: RecordCache, querier: Querier) {
    this.#clock = clock;
    this.#cache = cache;
    this.#querier = querier;
  }

  /** How many reconfirmations are under way (for tests). */
  get activeCount(): number {
    return this.#running.size;
  }

  /**
   * Puts cached records in dispute: each is doomed to go in ten seconds, and
   * its question goes out at once and again at 1 s, 3 s and 7 s (the
   * querier's backoff: two or more queries, as §10.4 asks). An answer
   * replaces the doomed entry with a live one.
   */
  reconfirm(entries: readonly CacheEntry[]): void {
    if (entries.length === 0) return;
    const deadline = this.#clock.now() + RECONFIRM_WAIT_MS;
    const questions = new Map<string, { name: string; type: number }>();
    for (const entry of entries) {
      this.#cache.doubt(entry, deadline);
      const type = typeCode(entry.record.data);
      questions.set(entry.groupKey, { name: entry.record.name, type });
    }
    const releases: (() => void)[] = [];
    for (const { name, type } of questions.values()) {
      releases.push(this.#querier.ask(name, type));
      // A question already asked (a browse, a live view) goes out now too, not at its next backoff.
      this.#querier.requery(name, type);
    }
    const run = {
      releases,
      timer: this.#clock.setTimer(() => {
        this.#running.delete(run);
        for (const release of releases) release();
      }, RECONFIRM_WAIT_MS),
    };
    this.#running.add(run);
  }

  /** Stops every reconfirmation; for engine shutdown. */
  close(): void {
    for (const run of this.#running) {
      run.timer.cancel();
      for (const release of run.releases) release();
    }
    this.#running.clear();
  }
}
