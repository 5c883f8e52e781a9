/**
 * What the executor needs from fault injection. The cluster's Nemesis (src/nemesis) satisfies it
 * structurally; tests of the executor's own healing logic can pass a recording fake.
 */
import type { Fault } from '../nemesis/fault.js';

/** The part of an applied fault the executor records (extra fields are ignored). */
export interface AppliedFaultLike {
  /** The nemesis's handle for `heal(id)`. */
  id: string;
  /** Resolved node names the fault hit. */
  targets?: readonly string[];
  /** What the nemesis observed to confirm the fault took effect (recorded as `verified`). */
  verified?: unknown;
  verification?: unknown;
  /** Resolved details (a partition's grudge...), recorded when present. */
  details?: unknown;
}

export interface NemesisControl {
  /**
   * `opts.id`: the executor's history id (`f0`, ...) so history, journal and nemesis agree.
   * `opts.salt`: the fault's start time, so its target choices do not depend on earlier faults.
   */
  apply(fault: Fault, opts?: { id?: string; salt?: number }): Promise<AppliedFaultLike>;
  heal(id: string): Promise<unknown>;
  /** Undoes everything this nemesis applied (also anything half-applied). */
  healAll(): Promise<unknown>;
}
