/** `cfstream lookup <hostname>`: a host's addresses; `.local` names through mDNS, others through the system resolver. */

import {
  Host,
  isLocalName,
  posixError,
  type ResolvedAddress,
  resolveLocalHostName,
} from '../../index.js';
import { expectPositionals, integerOption } from '../args.js';
import { type Command, ExitStatus } from '../command.js';
import { addressesToJson } from '../output.js';

export const lookupCommand: Command = {
  name: 'lookup',
  summary: "print a host's addresses (.local names through mDNS)",
  help: `usage: cfstream lookup <hostname> [--timeout MS]

Prints the addresses of a host, one per line. Names in .local are asked on
the local network by multicast DNS (RFC 6762); other names go to the
system resolver (hosts file, DNS).

options:
  --timeout MS    give up after MS milliseconds (default 5000 for .local)

--json prints {"event":"resolved","name","addresses":[{address,family}]}.`,
  options: { timeout: { type: 'string' } },
  async run({ args, out, interrupted }) {
    expectPositionals(args.positionals, 1, 1, 'host name');
    const name = args.positionals[0] as string;
    const timeout = integerOption(args.values, 'timeout', 1, 2 ** 31 - 1);
    const abort = new AbortController();
    const onInterrupt = (): void => abort.abort(new Error('interrupted'));
    interrupted.addEventListener('abort', onInterrupt, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let addresses: readonly ResolvedAddress[];
    try {
      if (isLocalName(name)) {
        addresses = await resolveLocalHostName(name, {
          signal: abort.signal,
          ...(timeout === undefined ? {} : { timeoutMs: timeout }),
        });
      } else {
        if (timeout !== undefined) {
          timer = setTimeout(
            () =>
              abort.abort(posixError('ETIMEDOUT', `no answer for ${name} within ${timeout} ms`)),
            timeout,
          );
        }
        addresses = await Host.withName(name).resolveAddresses(abort.signal);
      }
    } catch (error) {
      if (interrupted.aborted) return ExitStatus.Interrupted;
      out.error(error);
      return ExitStatus.Failed;
    } finally {
      clearTimeout(timer);
      interrupted.removeEventListener('abort', onInterrupt);
    }
    out.result(
      { event: 'resolved', name, addresses: addressesToJson(addresses) },
      addresses.map((a) => a.address).join('\n'),
    );
    return ExitStatus.Ok;
  },
};
