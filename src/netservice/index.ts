/** DNS-SD services (RFC 6763): NetService, NetServiceBrowser and TXT helpers. */
export type { ServiceResolution } from '../address.js';
export {
  type DiscoveryEvent,
  discoveryFor,
  type Publication,
  type PublishRequest,
  registerDiscovery,
  type ServiceChange,
  type ServiceDiscovery,
  type TypeEvent,
} from './discovery.js';
export { NetService, type NetServiceInfo, type PublishOptions } from './net-service.js';
export {
  type BrowseEvent,
  NetServiceBrowser,
  type ServiceEvent,
  type ServiceTypeEvent,
} from './net-service-browser.js';
export { formatServiceName, parseServiceName, type ServiceNameParts } from './service-name.js';
export {
  CFNetServiceCreateDictionaryWithTXTData,
  CFNetServiceCreateTXTDataWithDictionary,
  createDictionaryWithTXTData,
  createTXTDataWithDictionary,
  type TxtDictionary,
  type TxtInput,
  type TxtValue,
  txtValue,
} from './txt-record.js';
