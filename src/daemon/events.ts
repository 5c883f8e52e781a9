/**
 * Live events: what a running daemon tells the web UI (src/server consumes them as `live$`).
 * `Daemon.events$` is an Observable<LiveEvent>; this module defines the event type and maps one
 * trial's executor streams (progress$, faults$) onto it.
 */
import { filter, map, merge, type Observable } from 'rxjs';
import type { FaultEvent, Progress } from '../executor/events.js';

export type LiveEvent =
  | { type: 'trial-start'; trial: number; runDir: string; seed: number | null }
  | {
      type: 'progress';
      trial: number;
      elapsedMs: number;
      opsPerSec: number;
      ok: number;
      fail: number;
      info: number;
      activeFaults: string[];
    }
  | {
      type: 'fault';
      trial: number;
      event: 'applied' | 'healed';
      id: string;
      kind: string;
      targets: string[];
    }
  | {
      type: 'trial-end';
      trial: number;
      runDir: string;
      valid: boolean | 'unknown';
      signature?: string;
    }
  /** A failing trial is being shrunk on the real cluster (after its trial-end). */
  | { type: 'shrink-start'; trial: number; seed: number; runDir: string }
  /** One shrink attempt (a cluster run of a candidate schedule) began, in `runDir`. */
  | { type: 'shrink-attempt'; trial: number; runDir: string; label: string }
  /**
   * A shrink step decided: the candidate (`candidateSize` ops+faults) failed `failures` of
   * `attempts` runs; `size` is the smallest failing schedule so far.
   */
  | {
      type: 'shrink';
      trial: number;
      step: number;
      size: number;
      candidateSize?: number;
      failing?: boolean;
      failures?: number;
      attempts?: number;
    }
  /** Shrinking ended; `size`: the smallest failing schedule (null: none kept). */
  | { type: 'shrink-end'; trial: number; size: number | null }
  | { type: 'daemon'; state: 'running' | 'stopping' | 'stopped' };

export type DaemonRunState = Extract<LiveEvent, { type: 'daemon' }>['state'];

export function progressEvent(trial: number, p: Progress): LiveEvent {
  return {
    type: 'progress',
    trial,
    elapsedMs: Math.round(p.elapsedMs),
    opsPerSec: Math.round(p.opsPerSec * 10) / 10,
    ok: p.ok,
    fail: p.fail,
    info: p.info,
    activeFaults: p.activeFaults,
  };
}

/** Applied = the executor's `started`, healed = `stopped`; the intermediate states are not shown. */
export function faultEvent(trial: number, e: FaultEvent): LiveEvent | undefined {
  if (e.type !== 'started' && e.type !== 'stopped') return undefined;
  return {
    type: 'fault',
    trial,
    event: e.type === 'started' ? 'applied' : 'healed',
    id: e.id,
    kind: e.fault.kind,
    targets: e.targets ?? [],
  };
}

/**
 * One trial's executor streams as live events. The streams complete when the executor ends, so a
 * subscription to this ends with the trial (no listener outlives its trial).
 */
export function trialEvents(
  trial: number,
  streams: { progress$: Observable<Progress>; faults$: Observable<FaultEvent> },
): Observable<LiveEvent> {
  return merge(
    streams.progress$.pipe(map((p) => progressEvent(trial, p))),
    streams.faults$.pipe(
      map((e) => faultEvent(trial, e)),
      filter((e): e is LiveEvent => e !== undefined),
    ),
  );
}
