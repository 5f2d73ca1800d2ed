/**
 * Browsing one service type over unicast DNS (RFC 6763 §4): ask for its PTR
 * records, ask again before they expire (at 80% of the TTL, as RFC 6762 §5.2
 * does on the link, within the configured bounds), and between full queries
 * watch the zone's SOA serial (RFC 1035 §3.3.13): a changed serial means the
 * zone changed, so the PTR records are asked for at once and a deletion is
 * seen within one serial poll. BIND 9.18 has no DNS Push (RFC 8765), so
 * polling is the one way to hear of a change.
 */

import { debuglog } from 'node:util';
import type { Observable } from 'rxjs';
import type { Clock, Timer } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { newObservable } from '../rx.js';
import { type UnicastConfig, type UnicastTimings, unicastConfig } from './config.js';
import { lookup } from './dns-client.js';
import { findZone, zoneSerial } from './zone.js';

const log = debuglog('cfstream:unicast');

/** One change, as the discovery seam reports it. */
export interface BrowseChange {
  readonly kind: 'found' | 'removed';
  readonly instance: string;
  readonly moreComing: boolean;
}

/** What the poller needs of the network: the PTR targets with their TTL, and the zone's serial. */
export interface BrowseSource {
  ptr(): Promise<{ readonly targets: readonly string[]; readonly ttl: number | undefined }>;
  serial(): Promise<number | undefined>;
}

/** The polling schedule of one browse, free of sockets: tests drive it with a fake clock. */
export class BrowsePoller {
  readonly #source: BrowseSource;
  readonly #clock: Clock;
  readonly #timings: UnicastTimings;
  readonly #emit: (change: BrowseChange) => void;
  readonly #fail: (error: unknown) => void;
  readonly #present = new Map<string, string>();
  #fullTimer: Timer | undefined;
  #serialTimer: Timer | undefined;
  #serial: number | undefined;
  #first = true;
  #again = false;
  #stopped = false;

  constructor(
    source: BrowseSource,
    clock: Clock,
    timings: UnicastTimings,
    emit: (change: BrowseChange) => void,
    fail: (error: unknown) => void,
  ) {
    this.#source = source;
    this.#clock = clock;
    this.#timings = timings;
    this.#emit = emit;
    this.#fail = fail;
  }

  /** Starts with a full query now and the first serial poll one interval later. */
  start(): void {
    this.#fullTimer = this.#clock.setTimer(() => void this.#full(), 0);
    this.#scheduleSerial();
  }

  /** Stops every timer; answers still on their way are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#fullTimer?.cancel();
    this.#serialTimer?.cancel();
  }

  async #full(): Promise<void> {
    this.#fullTimer = undefined;
    let answer: Awaited<ReturnType<BrowseSource['ptr']>>;
    try {
      // The serial is read before the records it vouches for: a change after this read shows
      // as a new serial at the next poll, never as one missed.
      if (this.#serial === undefined)
        this.#serial = await this.#source.serial().catch(() => undefined);
      if (this.#stopped) return;
      answer = await this.#source.ptr();
    } catch (error) {
      if (this.#stopped) return;
      // The first answer decides whether the browse can work at all; later a server may blink.
      if (this.#first) return this.#fail(error);
      log('browse query failed: %s', (error as Error).message);
      return;
    }
    if (this.#stopped) return;
    this.#first = false;
    this.#apply(answer.targets);
    const { minRequeryMs, maxRequeryMs } = this.#timings;
    const delay = this.#again
      ? 0
      : answer.ttl === undefined
        ? maxRequeryMs
        : Math.min(maxRequeryMs, Math.max(minRequeryMs, answer.ttl * 800));
    this.#again = false;
    this.#fullTimer = this.#clock.setTimer(() => void this.#full(), delay);
  }

  #scheduleSerial(): void {
    this.#serialTimer = this.#clock.setTimer(
      () => void this.#pollSerial(),
      this.#timings.serialPollMs,
    );
  }

  async #pollSerial(): Promise<void> {
    let serial: number | undefined;
    try {
      serial = await this.#source.serial();
    } catch (error) {
      log('serial poll failed: %s', (error as Error).message);
    }
    if (this.#stopped) return;
    this.#scheduleSerial();
    // A poll that failed leaves the serial unknown, and the next one that answers counts as a
    // change: the zone may have moved on meanwhile.
    const changed = serial === undefined ? false : serial !== this.#serial;
    this.#serial = serial;
    if (!changed) return;
    // The zone changed: ask for the PTR records now instead of at their TTL (or again, when a
    // query is on its way: it may have been answered before the change).
    if (this.#fullTimer === undefined) {
      this.#again = true;
      return;
    }
    this.#fullTimer.cancel();
    this.#fullTimer = this.#clock.setTimer(() => void this.#full(), 0);
  }

  #apply(targets: readonly string[]): void {
    const live = new Map(targets.map((t) => [nameKey(t), t] as const));
    const changes: { kind: 'found' | 'removed'; instance: string }[] = [];
    for (const [key, target] of live)
      if (!this.#present.has(key)) changes.push({ kind: 'found', instance: target });
    for (const [key, target] of this.#present)
      if (!live.has(key)) changes.push({ kind: 'removed', instance: target });
    for (const c of changes) {
      if (c.kind === 'found') this.#present.set(nameKey(c.instance), c.instance);
      else this.#present.delete(nameKey(c.instance));
    }
    for (const [i, c] of changes.entries())
      this.#emit({ ...c, moreComing: i < changes.length - 1 });
  }
}

/** The network side of a browse: fresh PTR queries, and the serial of the zone that holds them. */
function networkSource(name: string, config: UnicastConfig, signal: AbortSignal): BrowseSource {
  let zone: Promise<string> | undefined;
  const deadline = (): number => Date.now() + config.timings.resolveTimeoutMs;
  return {
    async ptr() {
      const answer = await lookup(name, RRType.PTR, {
        signal,
        deadline: deadline(),
        fresh: true,
        config,
      });
      if (answer.kind !== 'records') return { targets: [], ttl: undefined };
      const targets = answer.records.flatMap((r) => (r.data.type === 'PTR' ? [r.data.target] : []));
      return { targets, ttl: Math.min(...answer.records.map((r) => r.ttl)) };
    },
    async serial() {
      zone ??= findZone(name, { signal, deadline: deadline(), config });
      try {
        return await zoneSerial(await zone, { signal, deadline: deadline(), config });
      } catch (error) {
        zone = undefined;
        throw error;
      }
    },
  };
}

/** Browses `type` (type and domain with the final dot, "_http._tcp.example.com."). */
export function browseUnicast(type: string): Observable<BrowseChange> {
  return newObservable<BrowseChange>((subscriber) => {
    const config = unicastConfig();
    const controller = new AbortController();
    const poller = new BrowsePoller(
      networkSource(type.replace(/\.$/, ''), config, controller.signal),
      config.clock,
      config.timings,
      (change) => subscriber.next(change),
      (error) => subscriber.error(error),
    );
    poller.start();
    return () => {
      poller.stop();
      controller.abort();
    };
  });
}
