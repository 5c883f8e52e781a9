/**
 * Live state: what a running daemon tells the web UI about the current trial. The daemon pushes
 * `LiveEvent`s (src/daemon/events.ts) into an Observable; the server folds them into a `LiveState` (so a page opened
 * mid-trial sees the current picture at once) and relays each one to browsers over SSE.
 */

// The event type belongs to the daemon that emits it; the server only consumes it.
import type { LiveEvent } from '../daemon/events.js';

export type { LiveEvent };

/**
 * The trial's start, its latest progress figures (`activeFaults` refined by fault events), and
 * its last shrink step, if it is being shrunk.
 */
export type LiveTrial = Omit<Extract<LiveEvent, { type: 'trial-start' }>, 'type'> &
  Omit<Extract<LiveEvent, { type: 'progress' }>, 'type'> & {
    shrink?: { step: number; size: number };
  };

/** The trial being shrunk on the real cluster (after it finished), and its running attempt. */
export interface LiveShrink {
  trial: number;
  seed: number;
  /** The original failing run. */
  runDir: string;
  /** Steps decided so far; the smallest failing schedule (ops+faults) so far. */
  step: number;
  size: number | null;
  /** The last decided candidate: its size and how often it reproduced. */
  candidateSize: number | null;
  failing: boolean | null;
  failures: number | null;
  attempts: number | null;
  /** The attempt running now: its dir and latest progress. */
  attempt: {
    runDir: string;
    label: string;
    elapsedMs: number;
    opsPerSec: number;
    ok: number;
    fail: number;
    info: number;
  } | null;
}

/** A fault event, marked when it came from a shrink attempt rather than the trial itself. */
export type LiveFault = Extract<LiveEvent, { type: 'fault' }> & { shrink?: boolean };

export interface FinishedTrial {
  trial: number;
  runDir: string;
  valid: boolean | 'unknown';
  signature?: string;
}

/** The current picture: what the live page shows before any new event arrives. */
export interface LiveState {
  daemon: 'running' | 'stopping' | 'stopped' | 'none';
  current: LiveTrial | null;
  /** The trial being shrunk, if any (the daemon shrinks after the trial ended). */
  shrinking: LiveShrink | null;
  /** Recent fault events of the recent trials and shrink attempts, newest last (bounded). */
  faults: LiveFault[];
  /** Finished trials, newest last (bounded). */
  finished: FinishedTrial[];
  totals: { trials: number; valid: number; invalid: number; unknown: number };
}

export const MAX_FINISHED = 50;
export const MAX_FAULT_EVENTS = 50;

export function emptyLiveState(): LiveState {
  return {
    daemon: 'none',
    current: null,
    shrinking: null,
    faults: [],
    finished: [],
    totals: { trials: 0, valid: 0, invalid: 0, unknown: 0 },
  };
}

function pushBounded<T>(list: T[], item: T, max: number): T[] {
  const next = [...list, item];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Pure reducer: the state after `e`. Events of a trial other than the current one still count. */
export function reduceLive(s: LiveState, e: LiveEvent): LiveState {
  switch (e.type) {
    case 'daemon':
      return { ...s, daemon: e.state };
    case 'trial-start':
      return {
        ...s,
        daemon: s.daemon === 'none' ? 'running' : s.daemon,
        current: {
          trial: e.trial,
          runDir: e.runDir,
          seed: e.seed,
          elapsedMs: 0,
          opsPerSec: 0,
          ok: 0,
          fail: 0,
          info: 0,
          activeFaults: [],
        },
      };
    case 'progress': {
      const { type: _t, trial: _n, activeFaults: _a, ...p } = e;
      if (s.current?.trial !== e.trial) {
        // A shrink attempt's progress: shown under the shrink.
        const a = s.shrinking?.trial === e.trial ? s.shrinking.attempt : null;
        if (!a) return s;
        return { ...s, shrinking: { ...s.shrinking!, attempt: { ...a, ...p } } };
      }
      return { ...s, current: { ...s.current, ...p, activeFaults: e.activeFaults } };
    }
    case 'fault': {
      const shrink = s.current?.trial !== e.trial && s.shrinking?.trial === e.trial;
      const faults = pushBounded<LiveFault>(
        s.faults,
        shrink ? { ...e, shrink } : e,
        MAX_FAULT_EVENTS,
      );
      if (s.current?.trial !== e.trial) return { ...s, faults };
      const active = s.current.activeFaults.filter((id) => id !== e.id);
      if (e.event === 'applied') active.push(e.id);
      return { ...s, faults, current: { ...s.current, activeFaults: active } };
    }
    case 'shrink-start':
      return {
        ...s,
        shrinking: {
          trial: e.trial,
          seed: e.seed,
          runDir: e.runDir,
          step: 0,
          size: null,
          candidateSize: null,
          failing: null,
          failures: null,
          attempts: null,
          attempt: null,
        },
      };
    case 'shrink-attempt': {
      if (s.shrinking?.trial !== e.trial) return s;
      const attempt = {
        runDir: e.runDir,
        label: e.label,
        elapsedMs: 0,
        opsPerSec: 0,
        ok: 0,
        fail: 0,
        info: 0,
      };
      return { ...s, shrinking: { ...s.shrinking, attempt } };
    }
    case 'shrink': {
      if (s.shrinking?.trial === e.trial) {
        return {
          ...s,
          shrinking: {
            ...s.shrinking,
            step: e.step,
            size: e.size,
            candidateSize: e.candidateSize ?? null,
            failing: e.failing ?? null,
            failures: e.failures ?? null,
            attempts: e.attempts ?? null,
          },
        };
      }
      if (s.current?.trial !== e.trial) return s;
      return { ...s, current: { ...s.current, shrink: { step: e.step, size: e.size } } };
    }
    case 'shrink-end':
      return s.shrinking?.trial === e.trial ? { ...s, shrinking: null } : s;
    case 'trial-end': {
      const f: FinishedTrial = { trial: e.trial, runDir: e.runDir, valid: e.valid };
      if (e.signature !== undefined) f.signature = e.signature;
      const key = e.valid === true ? 'valid' : e.valid === false ? 'invalid' : 'unknown';
      return {
        ...s,
        current: s.current?.trial === e.trial ? null : s.current,
        finished: pushBounded(s.finished, f, MAX_FINISHED),
        totals: { ...s.totals, trials: s.totals.trials + 1, [key]: s.totals[key] + 1 },
      };
    }
  }
}
