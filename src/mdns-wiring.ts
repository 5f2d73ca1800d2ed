/**
 * Plugs multicast DNS into the rooms that use it without importing it:
 * `.local` host names (RFC 6762 §3) for Host, and the `local.` domain for
 * NetService and NetServiceBrowser (the netservice adapter registers itself
 * when loaded). The package root imports this module for its effect, so
 * every user of the package, the CLI included, gets both.
 */
import { registerLocalNameResolver } from './host/host-resolver.js';
import { resolveLocalHostName } from './mdns/index.js';
import './netservice/mdns-discovery.js';

registerLocalNameResolver((name, signal) => resolveLocalHostName(name, { signal }));
