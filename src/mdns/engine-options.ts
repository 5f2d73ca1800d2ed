/**
 * The knobs of the mDNS engine. Production uses the RFC 6762 values; tests
 * shorten them and inject a clock, a random source and a transport.
 */
import { type Clock, realClock } from '../clock.js';

/** RFC 6762 timings, in milliseconds. */
export interface MdnsTimings {
  /** §8.1: interval between the three probes. */
  readonly probeInterval: number;
  /** §8.1: the first probe waits a random 0–this. */
  readonly probeInitialDelayMax: number;
  /** §8.1: after 15 conflicts within 10 s, wait this long before probing again. */
  readonly probeRateLimitWait: number;
  /** §8.2: the loser of a simultaneous probe tie-break waits this long. */
  readonly tieBreakWait: number;
  /** §8.3: the gap between the two announcements (doubling after). */
  readonly announceInterval: number;
  /** §5.2: the first retransmission of a query; then 2x, 4x... */
  readonly queryRetransmit: number;
  /** §5.2: retransmission stops growing here (60 min in the RFC). */
  readonly queryRetransmitMax: number;
  /** §6: shared answers wait a random value in [min, max]. */
  readonly sharedAnswerDelayMin: number;
  readonly sharedAnswerDelayMax: number;
  /** §6: a record is multicast at most once per this period. */
  readonly multicastRateLimit: number;
  /** §10.1: a goodbye (TTL 0) removes the record this much later. */
  readonly goodbyeGrace: number;
  /** §13: how often the interfaces are read again (Node reports no changes). */
  readonly interfaceCheckInterval: number;
}

/** The RFC's values. */
export const RFC_TIMINGS: MdnsTimings = {
  probeInterval: 250,
  probeInitialDelayMax: 250,
  probeRateLimitWait: 5000,
  tieBreakWait: 1000,
  announceInterval: 1000,
  queryRetransmit: 1000,
  queryRetransmitMax: 3_600_000,
  sharedAnswerDelayMin: 20,
  sharedAnswerDelayMax: 120,
  multicastRateLimit: 1000,
  goodbyeGrace: 1000,
  interfaceCheckInterval: 5000,
};

/** TTLs from RFC 6762 §10, in seconds. */
export const TTL = {
  /** Host address records and SRV. */
  host: 120,
  /** PTR, TXT and everything else. */
  other: 4500,
  /** §6.7: legacy unicast answers carry at most this. */
  legacyMax: 10,
} as const;

/**
 * Limits that keep a hostile peer from growing memory without bound: budgets
 * of the record cache, in estimated heap bytes (src/mdns/cache-budget.ts).
 */
export interface MdnsLimits {
  /** Every cached record together. */
  readonly maxCacheBytes: number;
  /** The records from one source address; past it, its new records are refused. */
  readonly maxBytesPerSource: number;
  /** Records no question asked for; they are evicted first, oldest first. */
  readonly maxUnsolicitedBytes: number;
  /** Such records from one source address. */
  readonly maxUnsolicitedBytesPerSource: number;
}

/** At about 540 bytes a record: 15,000 records in all, 7,500 from one host; 1,900 unsolicited, 480 from one host. */
export const DEFAULT_LIMITS: MdnsLimits = {
  maxCacheBytes: 8 * 1024 * 1024,
  maxBytesPerSource: 4 * 1024 * 1024,
  maxUnsolicitedBytes: 1024 * 1024,
  maxUnsolicitedBytesPerSource: 256 * 1024,
};

/** Options of one engine. */
export interface MdnsEngineOptions {
  /** Interface names or addresses, comma-separated; default: CFSTREAM_INTERFACE, else every up multicast interface. */
  readonly interface?: string;
  /** This host's name in `.local`; default: os.hostname(). */
  readonly hostName?: string;
  readonly timings?: Partial<MdnsTimings>;
  readonly limits?: Partial<MdnsLimits>;
  readonly clock?: Clock;
  /** A uniform random number in [0, 1). */
  readonly random?: () => number;
}

/** Options with every default filled in. */
export interface ResolvedEngineOptions {
  readonly interface: string | undefined;
  readonly hostName: string | undefined;
  readonly timings: MdnsTimings;
  readonly limits: MdnsLimits;
  readonly clock: Clock;
  readonly random: () => number;
}

/** Fills in defaults. */
export function resolveEngineOptions(options: MdnsEngineOptions = {}): ResolvedEngineOptions {
  const fromEnv = process.env.CFSTREAM_INTERFACE;
  return {
    interface: options.interface ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined),
    hostName: options.hostName,
    timings: { ...RFC_TIMINGS, ...options.timings },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    clock: options.clock ?? realClock,
    random: options.random ?? Math.random,
  };
}
