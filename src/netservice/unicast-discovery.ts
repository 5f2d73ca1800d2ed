/**
 * The default discovery (every domain other than `local.`): unicast DNS-SD
 * (RFC 6763), loaded on first use. The real one (wide-area-discovery.ts and
 * the unicast room behind it) is a seventh of the bundle that V8 would parse
 * and run at every import, for a feature most processes never use
 * (docs/performance.md, start-up). This stand-in keeps the discovery's shapes:
 * a Promise from resolve, Observables (through src/rx.ts) that load the room
 * when subscribed, and a Publication returned at once. Registered as the
 * default discovery, so a NetService in "example.com." needs nothing more
 * than configureUnicastDNS (or CFSTREAM_DNS_SERVERS and CFSTREAM_TSIG).
 */
import { createRequire } from 'node:module';
import type { Observable } from 'rxjs';
import { newObservable } from '../rx.js';
import { unicastConfig } from '../unicast/config.js';
import { checkTxtFitsUpdate } from '../unicast/txt-limit.js';
import {
  type Publication,
  type PublishRequest,
  registerDefaultDiscovery,
  type ServiceDiscovery,
} from './discovery.js';

type WideArea = typeof import('./wide-area-discovery.js').wideAreaDiscovery;

let loaded: WideArea | undefined;
let loading: Promise<WideArea> | undefined;

type Room = typeof import('./wide-area-discovery.js');

// Run from source under tsx's CommonJS hook (mocha), import() would load a second copy of every
// module the room shares with this one (its configuration, the error classes); require loads the
// same ones. The bundles (a .js URL) always take import(): in ESM the room is a file of its own.
const fromCommonJSSource = typeof require === 'function' && import.meta.url.endsWith('.ts');

/** The real discovery, loading it on the first call. */
function load(): Promise<WideArea> {
  loading ??= (
    fromCommonJSSource
      ? Promise.resolve(createRequire(import.meta.url)('./wide-area-discovery.ts') as Room)
      : import('./wide-area-discovery.js')
  ).then((room) => {
    loaded = room.wideAreaDiscovery;
    return loaded;
  });
  return loading;
}

/** An Observable that subscribes to the real discovery's, loading it first if need be. */
function deferred<T>(make: (real: WideArea) => Observable<T>): Observable<T> {
  if (loaded !== undefined) return make(loaded);
  return newObservable<T>((subscriber) => {
    let closed = false;
    let inner: { unsubscribe(): void } | undefined;
    load().then(
      (real) => {
        if (closed) return;
        // A throw while subscribing (a bad CFSTREAM_TSIG) reaches `error`, as it did before.
        inner = make(real).subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      closed = true;
      inner?.unsubscribe();
    };
  });
}

/** A Publication that starts once the real discovery has loaded. */
function deferredPublication(request: PublishRequest): Publication {
  // A configuration the room would reject (a bad CFSTREAM_TSIG) throws here, as publish() did.
  unicastConfig();
  const started = load().then((real) => real.publish(request));
  const registered = started.then((publication) => publication.registered);
  registered.catch(() => {});
  return {
    registered,
    setTxt(txt) {
      // The real publication's own check, so that a TXT too big fails here at once.
      checkTxtFitsUpdate(txt);
      return started.then((publication) => publication.setTxt(txt));
    },
    async stop() {
      await (await started).stop();
    },
  };
}

/** The discovery of every domain but `local.`: the unicast room, loaded on first use. */
export const unicastDiscovery: ServiceDiscovery = {
  // Not async: an async function returning the room's promise would add three microtask turns.
  resolve: (instance, options) =>
    loaded !== undefined
      ? loaded.resolve(instance, options)
      : load().then((real) => real.resolve(instance, options)),
  // Nothing is cached, and nothing can be in doubt, before the room has loaded.
  cached: (instance) => loaded?.cached(instance),
  reconfirm: (instance, failed) => loaded?.reconfirm(instance, failed),
  browse: (type) => deferred((real) => real.browse(type)),
  publish: (request) => (loaded ? loaded.publish(request) : deferredPublication(request)),
  services: (type) => deferred((real) => real.services(type)),
  monitor: (instance) => deferred((real) => real.monitor(instance)),
  types: (domain) => deferred((real) => real.types(domain)),
  domains: async (signal) => (loaded ?? (await load())).domains(signal),
};

registerDefaultDiscovery(unicastDiscovery);
