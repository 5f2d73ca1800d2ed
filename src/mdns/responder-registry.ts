/**
 * One responder per engine, created by the first publication; goodbyes go
 * out before the shared engine closes.
 */
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

/** What to publish: mDNS's own shape (netservice's PublishRequest matches it; mdns imports nothing from netservice). */
export interface MdnsPublishRequest {
  readonly name: string;
  /** Type and domain in presentation form with final dots. */
  readonly type: string;
  readonly domain: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
  /** Fail with Collision instead of renaming on conflict. */
  readonly noRename: boolean;
  /** RFC 6763 §7.1 subtype labels ("_printer"). */
  readonly subtypes?: readonly string[];
}

/** A live mDNS publication (netservice's Publication matches it). */
export interface MdnsPublication {
  /** Settles with the final registered instance name (after any renaming). */
  readonly registered: Promise<string>;
  /** Withdraws the service with goodbyes. */
  stop(): Promise<void>;
  /** Replaces the TXT and announces it (RFC 6762 §8.4); throws BadArgument when it cannot be sent. */
  setTxt(txt: readonly Buffer[]): void;
}

/** Publishes a service through the engine's responder. */
export function publishWithEngine(
  engine: MdnsEngine,
  request: MdnsPublishRequest,
): MdnsPublication {
  const type = `${request.type}${request.domain}`.replace(/\.$/, '');
  const { registered, stop, setTxt } = responderOf(engine).register({
    name: request.name,
    type,
    port: request.port,
    txt: request.txt,
    noRename: request.noRename,
    ...(request.subtypes ? { subtypes: request.subtypes } : {}),
  });
  return {
    registered,
    setTxt,
    stop: async () => {
      stop();
      await engine.ready();
    },
  };
}
