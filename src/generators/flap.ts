/**
 * Flapping: a kill fault that kills and restarts its target repeatedly, as the RPC-proxy plan
 * asks. Plain data on an ordinary `kill` — `params.flap = {count, intervalMs, downMs}` — so a
 * hand-written schedule can say it and the generator can draw it (`flap: true`). The executor
 * runs the plan below: the first kill resolves the targets (`one`, `primaries`...), the later
 * ones hit the same nodes, each restarted `downMs` after its kill; each round is an ordinary
 * start-kill / stop-kill pair in the history (ids `f3.1`, `f3.2`, ...).
 */
import type { Fault } from '../nemesis/fault.js';

export interface FlapParams {
  count: number;
  intervalMs: number;
  downMs: number;
}

/** The flap parameters of a fault, if it flaps. */
export function flapOf(fault: Fault): FlapParams | undefined {
  const f = fault.kind === 'kill' ? fault.params?.flap : undefined;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return undefined;
  const { count, intervalMs, downMs } = f as Record<string, unknown>;
  if (typeof count !== 'number' || typeof intervalMs !== 'number' || typeof downMs !== 'number')
    return undefined;
  return { count, intervalMs, downMs };
}

/** What is wrong with a flap within a fault slot of `durationMs`, or undefined. */
export function flapProblem(fault: Fault, durationMs: number): string | undefined {
  const raw = fault.kind === 'kill' ? fault.params?.flap : undefined;
  if (raw === undefined) return undefined;
  const f = flapOf(fault);
  if (!f) return 'flap needs {count, intervalMs, downMs} as numbers';
  if (!Number.isInteger(f.count) || f.count < 1) return 'flap count must be a whole number >= 1';
  if (!(f.downMs > 0)) return 'flap downMs must be > 0';
  if (!(f.intervalMs > f.downMs)) return 'flap intervalMs must be longer than downMs';
  const span = (f.count - 1) * f.intervalMs + f.downMs;
  if (span > durationMs)
    return `flap needs ${span} ms ((count-1) x intervalMs + downMs) but the fault lasts ${durationMs} ms`;
  return undefined;
}

/** Round k (0-based): killed at `atMs`, restarted at `healMs` (ms after the fault's start). */
export function flapRounds(f: FlapParams): Array<{ atMs: number; healMs: number }> {
  return Array.from({ length: f.count }, (_, k) => ({
    atMs: k * f.intervalMs,
    healMs: k * f.intervalMs + f.downMs,
  }));
}

/** A flap that fits `durationMs`: `count` rounds as far apart as the slot allows. */
export function fittedFlap(durationMs: number, count: number): FlapParams {
  const intervalMs = Math.floor(durationMs / count);
  return { count, intervalMs, downMs: Math.max(1, Math.floor(intervalMs / 2)) };
}
