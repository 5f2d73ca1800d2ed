/**
 * The live modes of `cfstream browse`: `--resolve` prints found/updated/
 * removed with host, port, addresses and TXT (NetServiceBrowser.services$),
 * `--types` the service types on the link (types$, RFC 6763 §9).
 */
import type { Observable, Subscription } from 'rxjs';
import { NetServiceBrowser, type ServiceEvent, type ServiceTypeEvent } from '../../index.js';
import type { Output } from '../output.js';
import { addressesToJson, txtToJson, txtToText } from '../output.js';

const label = { found: 'found  ', updated: 'updated', removed: 'removed' } as const;

/** Prints the live view of `type` until stopped. */
export function printServices(
  out: Output,
  type: string,
  domain: string,
  failed: (error: unknown) => void,
): Subscription {
  return follow(new NetServiceBrowser().services$(type, domain), failed, (event: ServiceEvent) => {
    const { kind, service, info, moreComing } = event;
    const instance = service.toString();
    const txt = txtToText(info.txt);
    out.result(
      {
        event: kind,
        instance,
        name: service.name,
        type: service.type,
        domain: service.domain,
        hostName: info.hostName,
        port: info.port,
        addresses: addressesToJson(info.addresses),
        txt: txtToJson(info.txt),
        moreComing,
      },
      `${label[kind]}  ${instance}  ${info.hostName}:${info.port}${txt === '' ? '' : `  ${txt}`}`,
    );
  });
}

/** Prints the service types of `domain` until stopped. */
export function printTypes(
  out: Output,
  domain: string,
  failed: (error: unknown) => void,
): Subscription {
  return follow(new NetServiceBrowser().types$(domain), failed, (event: ServiceTypeEvent) => {
    out.result(
      { event: event.kind, type: event.type, domain: event.domain, moreComing: event.moreComing },
      `${label[event.kind]}  ${event.type.replace(/\.$/, '')}`,
    );
  });
}

// `failed` gets a stream error (an mDNS engine that cannot run, a bad type).
function follow<T>(
  source: Observable<T>,
  failed: (error: unknown) => void,
  print: (event: T) => void,
): Subscription {
  return source.subscribe({ next: print, error: failed });
}
