/**
 * The live view in a DNS domain: services (browse, then resolve each
 * instance, reporting found / updated / removed) and monitor (one instance).
 * A DNS server pushes nothing (BIND 9.18 has no DNS Push, RFC 8765), so a
 * change is noticed by the zone's SOA serial, asked every `serialPollMs` as a
 * browse does: a new serial resolves the instances again past the cache, and
 * an instance whose SRV, TXT or addresses differ is reported `updated`.
 * Resolutions of one instance never overlap (a change during one is resolved
 * again after it), and lookups are shared (shared-query.ts).
 */

import { debuglog } from 'node:util';
import type { Observable } from 'rxjs';
import type { ServiceResolution } from '../address.js';
import type { Clock, Timer } from '../clock.js';
import { nameKey } from '../dns/dns-name.js';
import { newObservable } from '../rx.js';
import { browseUnicast } from './browse.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { resolveService } from './resolve-service.js';
import { findZone, zoneSerial } from './zone.js';

const log = debuglog('cfstream:unicast');

/** One change of the live view (the shape of netservice's ServiceChange). */
export interface UnicastServiceChange {
  readonly kind: 'found' | 'updated' | 'removed';
  readonly instance: string;
  readonly resolution: ServiceResolution;
  readonly moreComing: boolean;
}

/** True when two resolutions would connect and read alike. */
export function sameResolution(a: ServiceResolution, b: ServiceResolution): boolean {
  const addresses = (r: ServiceResolution): string =>
    r.addresses
      .map((x) => x.address)
      .sort()
      .join(',');
  const txt = (r: ServiceResolution): string =>
    (r.txt ?? []).map((s) => s.toString('hex')).join(',');
  return (
    a.port === b.port &&
    nameKey(a.hostName) === nameKey(b.hostName) &&
    addresses(a) === addresses(b) &&
    txt(a) === txt(b)
  );
}

/**
 * Reads the serial now and every `intervalMs` after the read before it ends;
 * calls `changed` at a read that differs from the one before. A failed read
 * (undefined or thrown) makes the next good read count as a change, as a
 * browse's does: what happened meanwhile is unknown.
 */
export function watchSerial(
  read: () => Promise<number | undefined>,
  clock: Clock,
  intervalMs: number,
  changed: () => void,
): { stop(): void } {
  let serial: number | undefined;
  let timer: Timer | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    const now = await read().catch((error: unknown) => {
      log('serial poll failed: %s', (error as Error).message);
      return undefined;
    });
    if (stopped) return;
    if (now === undefined) serial = Number.NaN;
    else {
      if (serial !== undefined && now !== serial) changed();
      serial = now;
    }
    timer = clock.setTimer(() => void poll(), intervalMs);
  };
  void poll();
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** watchSerial of the zone that holds `name`, asked of the configured servers. */
function watchZoneOf(
  name: string,
  config: UnicastConfig,
  signal: AbortSignal,
  changed: () => void,
): { stop(): void } {
  let zone: Promise<string> | undefined;
  const read = async (): Promise<number | undefined> => {
    const ask = { signal, deadline: Date.now() + config.timings.resolveTimeoutMs, config };
    try {
      zone ??= findZone(name, ask);
      return await zoneSerial(await zone, ask);
    } catch (error) {
      zone = undefined;
      throw error;
    }
  };
  return watchSerial(read, config.clock, config.timings.serialPollMs, changed);
}

interface Tracked {
  readonly instance: string;
  resolution: ServiceResolution | undefined;
  busy: boolean;
  again: boolean;
}

/** Resolves `tracked` (past the cache when `fresh`), one resolution at a time; reports what changed. */
async function refresh(
  tracked: Tracked,
  fresh: boolean,
  options: { signal: AbortSignal; config: UnicastConfig },
  report: (kind: 'found' | 'updated', resolution: ServiceResolution) => void,
): Promise<void> {
  if (tracked.busy) {
    tracked.again = true;
    return;
  }
  tracked.busy = true;
  try {
    const resolution = await resolveService(tracked.instance, { ...options, needTxt: true, fresh });
    if (options.signal.aborted) return;
    const before = tracked.resolution;
    tracked.resolution = resolution;
    if (before === undefined) report('found', resolution);
    else if (!sameResolution(before, resolution)) report('updated', resolution);
  } catch (error) {
    log('resolve of %s failed: %s', tracked.instance, (error as Error).message);
  } finally {
    tracked.busy = false;
  }
  if (tracked.again && !options.signal.aborted) {
    tracked.again = false;
    await refresh(tracked, true, options, report);
  }
}

/** found / updated / removed with resolutions for every instance of `type` ("_http._tcp.example.com."). */
export function unicastServices(type: string): Observable<UnicastServiceChange> {
  return newObservable<UnicastServiceChange>((subscriber) => {
    const config = unicastConfig();
    const controller = new AbortController();
    const options = { signal: controller.signal, config };
    const tracked = new Map<string, Tracked>();
    const emit = (kind: UnicastServiceChange['kind'], t: Tracked, r: ServiceResolution): void =>
      subscriber.next({ kind, instance: t.instance, resolution: r, moreComing: false });
    const update = (t: Tracked, fresh: boolean): void =>
      void refresh(t, fresh, options, (kind, r) => {
        if (tracked.get(nameKey(t.instance)) === t) emit(kind, t, r);
      });
    const browse = browseUnicast(type).subscribe({
      next: (change) => {
        const key = nameKey(change.instance);
        const known = tracked.get(key);
        if (change.kind === 'found' && known === undefined) {
          const t: Tracked = {
            instance: change.instance,
            resolution: undefined,
            busy: false,
            again: false,
          };
          tracked.set(key, t);
          update(t, false);
        } else if (change.kind === 'removed' && known !== undefined) {
          tracked.delete(key);
          if (known.resolution !== undefined) emit('removed', known, known.resolution);
        }
      },
      error: (error: unknown) => subscriber.error(error),
    });
    const watch = watchZoneOf(type.replace(/\.$/, ''), config, controller.signal, () => {
      for (const t of tracked.values()) update(t, true);
    });
    return () => {
      browse.unsubscribe();
      watch.stop();
      controller.abort();
    };
  });
}

/** The resolution of `instance` now and after every change, until unsubscribed. */
export function unicastMonitor(instance: string): Observable<ServiceResolution> {
  return newObservable<ServiceResolution>((subscriber) => {
    const config = unicastConfig();
    const controller = new AbortController();
    const options = { signal: controller.signal, config };
    const t: Tracked = { instance, resolution: undefined, busy: false, again: false };
    const update = (fresh: boolean): void =>
      void refresh(t, fresh, options, (_kind, r) => subscriber.next(r));
    update(false);
    const watch = watchZoneOf(instance.replace(/\.$/, ''), config, controller.signal, () =>
      update(true),
    );
    return () => {
      watch.stop();
      controller.abort();
    };
  });
}
