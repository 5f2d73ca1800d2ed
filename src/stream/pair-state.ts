/**
 * The states of a pair's connection, and the one table of the transitions
 * between them. Each state carries what exists in it (the connection once
 * open, the failure once failed); STARTTLS is the "upgrading" state, a
 * sub-state of open with its own waiting writes (src/stream/starttls.ts).
 */
import type { StreamError } from '../errors.js';
import type { OpenedConnection } from './open-pipeline.js';
import type { StartTLS } from './starttls.js';

/** A pair's connection state. */
export type PairState =
  /** Made, no open() yet: properties that shape the connection may still change. */
  | { readonly kind: 'idle' }
  /** The first open() is resolving, connecting, negotiating SOCKS or TLS. */
  | { readonly kind: 'opening' }
  /** Connected; `stream` is what data flows through. */
  | OpenState
  /** Open, and securing the connection in place (STARTTLS); writes wait in `upgrade`. */
  | {
      readonly kind: 'upgrading';
      readonly connection: OpenedConnection;
      readonly upgrade: StartTLS;
    }
  /** The open or a STARTTLS failed; a connection made before the failure is kept for teardown. */
  | {
      readonly kind: 'failed';
      readonly failure: StreamError;
      readonly connection: OpenedConnection | undefined;
    }
  /** Every stream of the pair is closed: the connection is gone. */
  | { readonly kind: 'closed' };

/**
 * The open state carries the connection's fields itself: one object per open pair, not a
 * state and a connection (an idle pair's memory, docs/performance.md).
 */
export interface OpenState extends OpenedConnection {
  readonly kind: 'open';
}

/** The name of a state. */
export type PairStateKind = PairState['kind'];

// The states that carry nothing are shared by every pair (an idle pair's memory, docs/performance.md).
/** Made, no open() yet. */
export const IDLE: PairState = Object.freeze({ kind: 'idle' });
/** The first open() is under way. */
export const OPENING: PairState = Object.freeze({ kind: 'opening' });
/** Every stream is closed. */
export const CLOSED: PairState = Object.freeze({ kind: 'closed' });

/**
 * Whether the table has a transition from `from` to `to`:
 *
 *   idle -open()-> opening -connected-> open -security set-> upgrading
 *                     |                   ^                      |
 *                     |                   +------ secured -------+
 *                     +-- open failed --> failed <-- handshake --+
 *                                                     failed
 *   every state -- last stream closed --> closed
 *
 * A connection that breaks while open stays "open" here: the streams report
 * it, and the connection goes when they are closed.
 */
export function allowsMove(from: PairStateKind, to: PairStateKind): boolean {
  switch (to) {
    case 'idle':
      return false;
    case 'opening':
      return from === 'idle';
    case 'open':
      return from === 'opening' || from === 'upgrading';
    case 'upgrading':
      return from === 'open';
    case 'failed':
      return from === 'opening' || from === 'upgrading';
    case 'closed':
      return from !== 'closed';
  }
}

/** The connection a state holds, if any. */
export function connectionOf(state: PairState): OpenedConnection | undefined {
  switch (state.kind) {
    case 'open':
      return state;
    case 'upgrading':
    case 'failed':
      return state.connection;
    case 'idle':
    case 'opening':
    case 'closed':
      return undefined;
  }
}
