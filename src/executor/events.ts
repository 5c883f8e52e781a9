/** Event types the executor publishes while it runs (see Executor: ops$, faults$, progress$). */
import type { JsonValue } from '../history/op.js';
import type { Fault } from '../nemesis/fault.js';

export type FaultEventType =
  'starting' | 'started' | 'start-failed' | 'stopping' | 'stopped' | 'stop-failed';

export interface FaultEvent {
  type: FaultEventType;
  /** History id of the fault (`f0`, `f1`, ... in schedule order). */
  id: string;
  fault: Fault;
  /** Resolved node names, once applied. */
  targets?: string[];
  verified?: JsonValue;
  error?: string;
  /** ms since the run started. */
  atMs: number;
}

export type ExecutorPhase = 'running' | 'healing' | 'recovering' | 'final-reads' | 'done';

export interface Progress {
  phase: ExecutorPhase;
  elapsedMs: number;
  /** Client ops completed per second over the last interval. */
  opsPerSec: number;
  ok: number;
  fail: number;
  info: number;
  /** Client ops invoked and not yet completed. */
  inFlight: number;
  /** `f1:partition`, ... */
  activeFaults: string[];
}

export interface ExecutionSummary {
  aborted: boolean;
  /** Wall-clock start (ISO 8601). */
  startedAt: string;
  /** Length of the main phase (workers + fault timeline), ms. */
  runMs: number;
  /** Client op completions of the main phase. */
  ok: number;
  fail: number;
  info: number;
  /** Completed client ops per second over the main phase. */
  opsPerSec: number;
  faultsApplied: number;
  faultsFailed: number;
  /** Whether a read succeeded on every node after healing (null: not attempted, e.g. aborted). */
  recovered: boolean | null;
  recoveryMs: number | null;
  finalReads: number;
  /**
   * The final reads run as processes numbered from here on (every main-phase process is below
   * it); null when there were none. See history/counts.ts.
   */
  finalReadsFromProcess: number | null;
  /** Highest process number used + 1. */
  processes: number;
  /** Problems that did not stop the run (heal failures, unrecovered nodes). */
  problems: string[];
}
