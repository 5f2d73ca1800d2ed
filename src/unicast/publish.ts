/**
 * Publishing a service in a unicast DNS zone (RFC 6763 with RFC 2136 UPDATE):
 * find the zone, add PTR, SRV, TXT and the host's addresses in one UPDATE
 * whose prerequisite is that the instance name is free (§2.4.5); a taken name
 * (YXDOMAIN) becomes "Name (2)", "Name (3)"... as on the link (RFC 6762 §9),
 * or a NetServices Collision under noRename. `stop()` deletes exactly the
 * records that were added: the host's addresses only when this process added
 * them and no other publication of it still uses them. `setTxt` replaces the
 * TXT RRset with one signed UPDATE, in order with the other changes.
 */

import { isIPv6 } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { debuglog } from 'node:util';
import { escapeLabel, nameKey } from '../dns/dns-name.js';
import { RRType } from '../dns/wire-types.js';
import { ErrorDomain, NetServicesError } from '../error-codes.js';
import { StreamError } from '../errors.js';
import { type UnicastConfig, unicastConfig } from './config.js';
import { answerCache, forgetAnswer, lookup } from './dns-client.js';
import { checkTxtFitsUpdate } from './txt-limit.js';
import { sendUpdate } from './update-client.js';
import { buildAdd, buildDelete, buildReplace, type UpdateRecord } from './update-message.js';
import { findZone } from './zone.js';

/** What to publish (the shape of netservice's PublishRequest). */
export interface UnicastPublishRequest {
  readonly name: string;
  /** Type and domain in presentation form with final dots. */
  readonly type: string;
  readonly domain: string;
  readonly port: number;
  readonly txt: readonly Buffer[];
  readonly noRename: boolean;
}

/** The TTL of published records, in seconds: short, so a crash leaves stale records briefly. */
export const PUBLISHED_TTL = 120;
const log = debuglog('cfstream:unicast');

/** Renaming gives up after this many names. */
const MAX_RENAMES = 100;

/** The host records this process added, by host name, with how many publications use them. */
const hosts = new Map<string, { records: UpdateRecord[]; users: number }>();

/** This machine's addresses: the external ones, or loopback when there are none (a private namespace). */
function localAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter(
    (i) => !i.internal && !(i.family === 'IPv6' && i.address.startsWith('fe80')),
  );
  return (external.length > 0 ? external : all.filter((i) => i.internal)).map((i) => i.address);
}

/** The host label: the first label of the system's host name, safe for DNS. */
function hostLabel(): string {
  return (hostname().split('.')[0] ?? 'host').replace(/[^A-Za-z0-9-]/g, '-') || 'host';
}

async function hostRecords(
  hostName: string,
  ask: Parameters<typeof lookup>[2],
): Promise<UpdateRecord[]> {
  const present = new Set<string>();
  for (const type of [RRType.A, RRType.AAAA]) {
    const answer = await lookup(hostName, type, { ...ask, fresh: true });
    if (answer.kind === 'records')
      for (const r of answer.records)
        if (r.data.type === 'A' || r.data.type === 'AAAA') present.add(r.data.address);
  }
  return localAddresses()
    .filter((address) => !present.has(address))
    .map((address) => ({
      name: hostName,
      ttl: PUBLISHED_TTL,
      data: isIPv6(address) ? { type: 'AAAA', address } : { type: 'A', address },
    }));
}

function isCollision(error: unknown): boolean {
  return error instanceof StreamError && error.code === NetServicesError.Collision;
}

/** Publishes `request`; `registered` settles with the name registered. */
export function publishUnicast(
  request: UnicastPublishRequest,
  config: UnicastConfig = unicastConfig(),
): {
  registered: Promise<string>;
  stop(): Promise<void>;
  setTxt(txt: readonly Buffer[]): Promise<void>;
} {
  const controller = new AbortController();
  const domain = request.domain.replace(/\.$/, '');
  const serviceType = `${request.type.replace(/\.$/, '')}.${domain}`;
  const hostName = `${hostLabel()}.${domain}`;
  let added: { zone: string; records: UpdateRecord[]; hostKey: string } | undefined;
  let keepAlive: NodeJS.Timeout | undefined;

  const register = async (): Promise<string> => {
    const ask = {
      signal: controller.signal,
      deadline: Date.now() + config.timings.resolveTimeoutMs,
      config,
    };
    const zone = await findZone(serviceType, ask);
    const hostKey = nameKey(hostName);
    const shared = hosts.get(hostKey);
    const ownHost = shared === undefined ? await hostRecords(hostName, ask) : [];
    for (let n = 1; n <= MAX_RENAMES; n++) {
      const name = n === 1 ? request.name : `${request.name} (${n})`;
      const instance = `${escapeLabel(name)}.${serviceType}`;
      const records: UpdateRecord[] = [
        { name: serviceType, ttl: PUBLISHED_TTL, data: { type: 'PTR', target: instance } },
        {
          name: instance,
          ttl: PUBLISHED_TTL,
          data: { type: 'SRV', priority: 0, weight: 0, port: request.port, target: hostName },
        },
        { name: instance, ttl: PUBLISHED_TTL, data: { type: 'TXT', strings: request.txt } },
      ];
      try {
        await sendUpdate(
          zone,
          (id) => buildAdd(id, zone, [...records, ...ownHost], [instance]),
          `publish of ${JSON.stringify(instance)}`,
          {
            ...ask,
            deadline: Date.now() + config.timings.resolveTimeoutMs,
          },
        );
      } catch (error) {
        if (isCollision(error) && !request.noRename) continue;
        throw error;
      }
      const entry = hosts.get(hostKey);
      if (entry) entry.users += 1;
      else hosts.set(hostKey, { records: ownHost, users: 1 });
      added = { zone, records, hostKey };
      // A publication is live until stop(), as on the link (where the responder's socket holds
      // the process): the records stay on the server, so a process must not drift off and exit.
      keepAlive = setInterval(() => {}, 2 ** 30);
      // What we changed is no longer what the cache remembers.
      answerCache(config).forget(serviceType, RRType.PTR);
      return name;
    }
    throw new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.Collision,
      `publish of ${request.name}: ${MAX_RENAMES} names taken`,
    );
  };

  const replaceTxt = async (txt: readonly Buffer[]): Promise<void> => {
    const done = added;
    const instance = done?.records[1]?.name;
    if (done === undefined || instance === undefined) return;
    const record: UpdateRecord = {
      name: instance,
      ttl: PUBLISHED_TTL,
      data: { type: 'TXT', strings: txt },
    };
    await sendUpdate(
      done.zone,
      (id) => buildReplace(id, done.zone, record, { name: instance, type: RRType.SRV }),
      `TXT update of ${JSON.stringify(instance)}`,
      { signal: controller.signal, deadline: Date.now() + config.timings.resolveTimeoutMs, config },
    );
    // stop() deletes exactly what is there now.
    if (added === done)
      added = { ...done, records: done.records.map((r, i) => (i === 2 ? record : r)) };
    forgetAnswer(instance, RRType.TXT, config);
  };

  const registered = register();
  registered.catch(() => {});
  // TXT changes go out one at a time, after the registration and before a withdrawal.
  let changes: Promise<void> = registered.then(
    () => undefined,
    () => undefined,
  );
  return {
    registered,
    setTxt(txt) {
      checkTxtFitsUpdate(txt);
      // The change settles with the server's answer; a refused one leaves the old TXT, and the
      // changes after it still go out in order.
      const change = changes.then(() => replaceTxt(txt));
      changes = change.catch((error: unknown) =>
        log('TXT update failed: %s', error instanceof Error ? error.message : String(error)),
      );
      return change;
    },
    async stop() {
      await registered.catch(() => undefined);
      await changes;
      clearInterval(keepAlive);
      keepAlive = undefined;
      const done = added;
      added = undefined;
      if (done === undefined) return;
      const entry = hosts.get(done.hostKey);
      let hostGone: UpdateRecord[] = [];
      if (entry !== undefined && --entry.users === 0) {
        hosts.delete(done.hostKey);
        hostGone = entry.records;
      }
      const records = [...done.records, ...hostGone];
      await sendUpdate(
        done.zone,
        (id) => buildDelete(id, done.zone, records),
        `withdrawal of ${JSON.stringify(done.records[1]?.name)}`,
        {
          signal: controller.signal,
          deadline: Date.now() + config.timings.resolveTimeoutMs,
          config,
        },
      );
      answerCache(config).forget(done.records[0]?.name ?? '', RRType.PTR);
    },
  };
}
