/**
 * RxJS, loaded on first use. The callback and Node-stream paths need none of
 * it, and loading all of `rxjs` at import cost more than the rest of the
 * package together (223 files; docs/performance.md, start-up). The pieces
 * come from RxJS's own exported paths (`rxjs/internal/*`), which under Node
 * resolve to the same CommonJS files `import ... from 'rxjs'` loads, so an
 * Observable made here is the caller's Observable class.
 */
import { createRequire } from 'node:module';
import type {
  map,
  Observable,
  OperatorFunction,
  Subscriber,
  Subscription,
  TeardownLogic,
} from 'rxjs';

const load = createRequire(import.meta.url);

let observableClass: typeof Observable | undefined;
let subscriptionClass: typeof Subscription | undefined;

/** A new RxJS Observable with this subscribe function (RxJS loads on the first call). */
export function newObservable<T>(
  subscribe: (this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic,
): Observable<T> {
  observableClass ??= (load('rxjs/internal/Observable') as { Observable: typeof Observable })
    .Observable;
  return new observableClass<T>(subscribe);
}

/** RxJS's Subscription class (RxJS loads on the first call). */
export function subscriptionBase(): typeof Subscription {
  subscriptionClass ??= (
    load('rxjs/internal/Subscription') as { Subscription: typeof Subscription }
  ).Subscription;
  return subscriptionClass;
}

let mapOperator: typeof map | undefined;

/** RxJS's `map` operator (RxJS loads on the first call). */
export function rxMap<T, R>(project: (value: T, index: number) => R): OperatorFunction<T, R> {
  mapOperator ??= (load('rxjs/internal/operators/map') as { map: typeof map }).map;
  return mapOperator(project);
}
