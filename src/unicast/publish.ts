/** Placeholder replaced by the UPDATE slice. */
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** Publishing over unicast DNS (RFC 2136); see the next slice. */
export function publishUnicast(_request: unknown): {
  registered: Promise<string>;
  stop(): Promise<void>;
} {
  const error = new StreamError(
    ErrorDomain.NetServices,
    NetServicesError.BadArgument,
    'publishing in a unicast DNS domain is not built yet',
  );
  const registered = Promise.reject(error);
  registered.catch(() => {});
  return { registered, stop: async () => {} };
}
