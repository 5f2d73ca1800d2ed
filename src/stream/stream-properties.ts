/**
 * The table of stream properties a pair understands: for each key, whether it
 * may be set at all, whether it may change once the pair has started opening,
 * and how its value is checked. A key not in the table is unsupported
 * (setProperty answers false, as CF does).
 */
import {
  kCFStreamPropertyProxyLocalBypass,
  kCFStreamPropertyShouldCloseNativeSocket,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamPropertySSLSettings,
} from '../constants.js';
import { parseSOCKSProxy } from '../socks/index.js';
import { parseSecurityLevel, parseSSLSettings } from '../tls/index.js';

/** When a property may be set. */
export type PropertyTiming =
  /** Any time, the value takes effect at once. */
  | 'any'
  /** Only before the pair starts opening: it shapes the connection. */
  | 'beforeOpen'
  /** Before the open starts, or on an open pair, where it starts TLS on the connection (STARTTLS). */
  | 'upgradesOpen'
  /** Never: the value is computed by the pair. */
  | 'readOnly';

/** How one property is checked and when it may be set. */
export interface PropertySpec {
  readonly timing: PropertyTiming;
  /** Returns the value to store, or throws a TypeError/RangeError saying what is wrong. */
  readonly normalize: (value: unknown) => unknown;
}

const specs = new Map<string, PropertySpec>();

/** Adds a property to the table; each capability (TLS, SOCKS) registers its own keys. */
export function defineProperty(key: string, spec: PropertySpec): void {
  specs.set(key, spec);
}

/** The spec of `key`, or undefined when the pair does not support it. */
export function propertySpec(key: string): PropertySpec | undefined {
  return specs.get(key);
}

/** A readonly property: its value comes from the pair, never from setProperty. */
export const readOnly: PropertySpec = {
  timing: 'readOnly',
  normalize: () => {
    throw new TypeError('read-only property');
  },
};

/** Checks a boolean-valued property. */
export function booleanValue(key: string): (value: unknown) => boolean {
  return (value) => {
    if (typeof value !== 'boolean')
      throw new TypeError(`${key} must be a boolean, got ${typeof value}`);
    return value;
  };
}

defineProperty(kCFStreamPropertyShouldCloseNativeSocket, {
  timing: 'any',
  normalize: booleanValue(kCFStreamPropertyShouldCloseNativeSocket),
});

// Computed by the pair; listed so that setProperty refuses them and copyProperty knows them.
for (const key of [
  'kCFStreamPropertySocketNativeHandle',
  'kCFStreamPropertySocketRemoteHost',
  'kCFStreamPropertySocketRemoteNetService',
  'kCFStreamPropertySSLPeerCertificates',
]) {
  defineProperty(key, readOnly);
}

defineProperty(kCFStreamPropertySOCKSProxy, { timing: 'beforeOpen', normalize: parseSOCKSProxy });
defineProperty(kCFStreamPropertyProxyLocalBypass, {
  timing: 'beforeOpen',
  normalize: booleanValue(kCFStreamPropertyProxyLocalBypass),
});
defineProperty(kCFStreamPropertySocketSecurityLevel, {
  timing: 'upgradesOpen',
  normalize: parseSecurityLevel,
});
defineProperty(kCFStreamPropertySSLSettings, {
  timing: 'upgradesOpen',
  normalize: parseSSLSettings,
});
