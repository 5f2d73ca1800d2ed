/** What the live tests against avahi and python-zeroconf watch: a stream's events, kept. */
import { filter, firstValueFrom, type Observable, ReplaySubject, timeout } from 'rxjs';
import type { ServiceEvent } from '../../src/netservice/index.js';

/** Records every event of a stream until stopped; `seen` replays them to each waiter. */
export function record<T>(source: Observable<T>): { seen: ReplaySubject<T>; stop: () => void } {
  const seen = new ReplaySubject<T>();
  const subscription = source.subscribe(seen);
  return { seen, stop: () => subscription.unsubscribe() };
}

/** The first event seen that matches, or a TimeoutError after `ms` (8 s: a peer's answer with retries). */
export function firstMatch<T>(
  seen: Observable<T>,
  matches: (event: T) => boolean = () => true,
  ms = 8000,
): Promise<T> {
  return firstValueFrom(seen.pipe(filter(matches), timeout(ms)));
}

/** A service event's TXT strings, sorted. */
export const txtOf = (e: ServiceEvent): string[] => e.info.txtStrings.map(String).sort();
