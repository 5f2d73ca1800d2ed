/**
 * One responder per engine, created by the first publication; goodbyes go
 * out before the shared engine closes.
 */
import type { Publication, PublishRequest } from '../netservice/discovery.js';
import { type MdnsEngine, onEngineClose } from './engine.js';
import { Responder } from './responder.js';
import { defaultHostName } from './responder-records.js';

const responders = new WeakMap<MdnsEngine, Responder>();

onEngineClose((engine) => responders.get(engine)?.close());

/** The engine's responder, created on first use. */
export function responderOf(engine: MdnsEngine): Responder {
  let responder = responders.get(engine);
  if (responder === undefined) {
    responder = new Responder(engine, engine.options.hostName ?? defaultHostName());
    responders.set(engine, responder);
  }
  return responder;
}

/** Publishes a service through the engine's responder. */
export function publishWithEngine(engine: MdnsEngine, request: PublishRequest): Publication {
  const type = `${request.type}${request.domain}`.replace(/\.$/, '');
  const { registered, stop } = responderOf(engine).register({
    name: request.name,
    type,
    port: request.port,
    txt: request.txt,
    noRename: request.noRename,
  });
  return {
    registered,
    stop: async () => {
      stop();
      await engine.ready();
    },
  };
}
