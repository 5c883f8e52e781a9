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
  /** Recent fault events of the current trial, newest last. */
  faults: Extract<LiveEvent, { type: 'fault' }>[];
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
        faults: [],
      };
    case 'progress': {
      const base = s.current?.trial === e.trial ? s.current : null;
      if (!base) return s;
      const { type: _t, ...p } = e;
      return { ...s, current: { ...base, ...p } };
    }
    case 'fault': {
      const faults = pushBounded(s.faults, e, MAX_FAULT_EVENTS);
      if (s.current?.trial !== e.trial) return { ...s, faults };
      const active = s.current.activeFaults.filter((id) => id !== e.id);
      if (e.event === 'applied') active.push(e.id);
      return { ...s, faults, current: { ...s.current, activeFaults: active } };
    }
    case 'shrink': {
      if (s.current?.trial !== e.trial) return s;
      return { ...s, current: { ...s.current, shrink: { step: e.step, size: e.size } } };
    }
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
