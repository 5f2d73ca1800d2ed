/**
 * SOCKS4, 4a and 5 client support for the stream core: proxy settings,
 * the local-bypass rule, and the handshake run on a connected socket.
 */
export { type NegotiateOptions, negotiateSOCKS } from './negotiate.js';
export {
  bypassesProxy,
  DEFAULT_SOCKS_PORT,
  parseSOCKSProxy,
  type SOCKSProxySettings,
} from './proxy-settings.js';
