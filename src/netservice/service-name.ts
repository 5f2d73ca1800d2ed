/**
 * Service instance names (RFC 6763 §4): `<Instance>.<_service>.<_proto>.<domain>`.
 * The instance label is free UTF-8 text -- dots and backslashes included --
 * so the full name is written with RFC 6763 §4.3 escapes: `\.`, `\\`, `\DDD`.
 */

import { joinName, type NameError, splitName } from '../dns/dns-name.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';

/** RFC 6763 §4.1.1: an instance name is at most 63 octets of UTF-8. */
export const MAX_INSTANCE_OCTETS = 63;

/** RFC 6335 §5.1: letters, digits and hyphens; no hyphen first, last, or beside another. */
const SERVICE_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
/** A UTF-16 surrogate without its partner: no UTF-8 spelling, so the name would change on the wire. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** RFC 6763 §4.1.1: an instance name holds no ASCII control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The parts of a service instance name. `type` and `domain` are in presentation form with a final dot. */
export interface ServiceNameParts {
  readonly name: string;
  readonly type: string;
  readonly domain: string;
}

function badArgument(message: string): StreamError {
  return new StreamError(ErrorDomain.NetServices, NetServicesError.BadArgument, message);
}

/** "local", "local." and "" all mean `local.`; other domains keep their labels and gain a final dot. */
export function normalizeDomain(domain: string): string {
  if (domain === '' || domain === '.') return 'local.';
  return `${joinName(splitLabels(domain, 'domain'))}.`;
}

/** `_echo._tcp` (with or without the final dot) as `_echo._tcp.`; checks the RFC 6763 §7 shape. */
export function normalizeType(type: string): string {
  const labels = splitLabels(type, 'type');
  const proto = labels[labels.length - 1]?.toLowerCase();
  const service = labels[labels.length - 2];
  if (labels.length < 2 || (proto !== '_tcp' && proto !== '_udp') || !service?.startsWith('_')) {
    throw badArgument(
      `service type must look like "_name._tcp" or "_name._udp", got ${JSON.stringify(type)}`,
    );
  }
  if (Buffer.byteLength(service, 'utf8') > 16)
    throw badArgument(`service name ${JSON.stringify(service)} over 15 characters`);
  if (!SERVICE_NAME.test(service.slice(1)) || !/[A-Za-z]/.test(service)) {
    throw badArgument(
      `service name ${JSON.stringify(service)}: letters, digits and single inner hyphens only, at least one letter (RFC 6335 §5.1)`,
    );
  }
  return `${joinName(labels)}.`;
}

/** Checks an instance name: non-empty, at most 63 octets, valid Unicode. */
export function checkInstanceName(name: string): string {
  if (typeof name !== 'string' || name === '')
    throw badArgument('service name must be a non-empty string');
  if (LONE_SURROGATE.test(name))
    throw badArgument(`service name ${JSON.stringify(name)} holds a lone UTF-16 surrogate`);
  if (Buffer.byteLength(name, 'utf8') > MAX_INSTANCE_OCTETS) {
    throw badArgument(`service name over ${MAX_INSTANCE_OCTETS} bytes: ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * The stricter check of a name we publish: no ASCII control characters (NUL
 * included; RFC 6763 §4.1.1). Names found on the network are not held to it,
 * so that a peer's odd name still shows when browsing.
 */
export function checkPublishableName(name: string): string {
  checkInstanceName(name);
  if (CONTROL.test(name))
    throw badArgument(
      `service name ${JSON.stringify(name)} holds an ASCII control character (RFC 6763 §4.1.1)`,
    );
  return name;
}

/**
 * A subtype to publish (RFC 6763 §7.1), as its one label: "_printer", or the
 * full "_printer._sub._http._tcp" of the service's own type. At most 63 bytes.
 */
export function checkSubtype(subtype: string, type: string): string {
  if (typeof subtype !== 'string' || subtype === '')
    throw badArgument('subtype must be a non-empty string');
  let labels = splitLabels(subtype, 'subtype');
  const typeLabels = splitLabels(type, 'type');
  const tail = ['_sub', ...typeLabels].map((l) => l.toLowerCase());
  if (
    labels.length === tail.length + 1 &&
    labels.slice(1).every((l, i) => l.toLowerCase() === tail[i])
  )
    labels = labels.slice(0, 1);
  const label = labels[0] as string;
  if (labels.length !== 1)
    throw badArgument(
      `subtype ${JSON.stringify(subtype)} must be one label like "_printer" (or "_printer._sub.${joinName(typeLabels)}")`,
    );
  if (Buffer.byteLength(label, 'utf8') > MAX_INSTANCE_OCTETS || LONE_SURROGATE.test(label))
    throw badArgument(`subtype ${JSON.stringify(subtype)}: at most 63 bytes of valid UTF-8`);
  return label;
}

function splitLabels(text: string, what: string): string[] {
  try {
    return splitName(text);
  } catch (error) {
    throw badArgument(`bad ${what} ${JSON.stringify(text)}: ${(error as NameError).message}`);
  }
}

/** The full escaped name: `My\.Echo._echo._tcp.local.`. */
export function formatServiceName(parts: ServiceNameParts): string {
  return `${joinName([parts.name])}.${parts.type}${parts.domain}`;
}

/** Splits a full escaped instance name into its parts. */
export function parseServiceName(full: string): ServiceNameParts {
  const labels = splitLabels(full, 'service name');
  // The type is the first `_x._tcp` / `_x._udp` pair after the instance label.
  for (let i = 1; i + 1 < labels.length; i++) {
    const proto = labels[i + 1]?.toLowerCase();
    if (labels[i]?.startsWith('_') && (proto === '_tcp' || proto === '_udp')) {
      const name = labels.slice(0, i).join('.');
      const domainLabels = labels.slice(i + 2);
      return {
        name: checkInstanceName(i === 1 ? (labels[0] as string) : name),
        type: normalizeType(joinName(labels.slice(i, i + 2))),
        domain: domainLabels.length === 0 ? 'local.' : `${joinName(domainLabels)}.`,
      };
    }
  }
  throw badArgument(
    `not a service instance name (Instance._service._tcp.domain.): ${JSON.stringify(full)}`,
  );
}

/** The name as the mDNS engine spells it: presentation form without the final dot. */
export function wireName(parts: ServiceNameParts): string {
  return formatServiceName(parts).replace(/\.$/, '');
}
