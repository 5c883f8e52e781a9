/**
 * The shrink driver with a pure stand-in for the cluster run (a pure unit: the real-cluster path
 * is exercised by the soak acceptance run). Checks that fast-check starts from the failing
 * trial's (seed, path), shrinks, honours k-of-n with a flaky "system", keeps only the final
 * case's failing run, and returns a path that regenerates the minimized schedule.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSchedule } from '../../src/generators/generate.js';
import { resolveScheduleParams } from '../../src/generators/params.js';
import type { Schedule } from '../../src/generators/schedule.js';
import { shrinkFailure, type AttemptOutcome } from '../../src/minimize/shrink.js';

const tmp = mkdtempSync(join(tmpdir(), `fl-shrink-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const params = resolveScheduleParams({
  durationMs: 5000,
  faultKinds: ['partition'],
  faults: { count: 2, minDurationMs: 500, maxDurationMs: 1500 },
});

/** The "bug": a write to key 0 while a partition is scheduled. */
const buggy = (s: Schedule) =>
  s.faults.length > 0 && s.processes.flat().some((o) => o.f === 'write' && o.key === 0);

function findFailingSeed(): number {
  for (let seed = 1; ; seed++) if (buggy(generateSchedule(params, seed).schedule)) return seed;
}

describe('shrinkFailure', () => {
  it('shrinks a failing schedule from its seed, k-of-n under flakiness, replayable by path', async () => {
    const seed = findFailingSeed();
    let n = 0;
    let calls = 0;
    const runAttempt = async (s: Schedule, label: string): Promise<AttemptOutcome> => {
      calls++;
      const runDir = join(tmp, label);
      mkdirSync(runDir);
      // Flaky: every third run of a buggy schedule passes anyway.
      const fails = buggy(s) && ++n % 3 !== 0;
      return { valid: fails ? false : true, runDir };
    };
    const steps: number[] = [];
    const r = await shrinkFailure({
      params,
      seed,
      path: '0',
      runAttempt,
      isFailure: (o) => o.valid === false,
      originalFailed: true,
      attempts: 3,
      required: 2,
      timeBudgetMs: 60_000,
      confirmRuns: 3,
      onStep: (s) => steps.push(s.size),
    });
    expect(r.before.ops).toBe(250);
    expect(r.after.ops).toBe(1);
    expect(r.after.faults).toBe(1);
    expect(buggy(r.schedule)).toBe(true);
    expect(r.shrinkReproduced.failures).toBeGreaterThanOrEqual(2);
    expect(r.confirmed.runs).toBe(3);
    expect(r.confirmed.failures).toBeGreaterThanOrEqual(2);
    expect(r.runs).toBe(calls);
    // The sizes reported while shrinking never grow.
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1]!);
    // (seed, path) regenerates exactly the minimized schedule.
    const again = generateSchedule(params, r.seed, r.path).schedule;
    expect({ ...again, origin: undefined }).toEqual({ ...r.schedule, origin: undefined });
    expect(r.schedule.origin).toMatchObject({ seed, path: r.path });
    // Only the final case's failing run dir is left.
    expect(r.failingRunDir && existsSync(r.failingRunDir)).toBeTruthy();
    expect(readdirSync(tmp)).toEqual([r.failingRunDir!.split('/').pop()]);
  });

  it('steps back along the shrink path when the final case does not fail again', async () => {
    const seed = findFailingSeed();
    const runAttempt = async (s: Schedule, label: string): Promise<AttemptOutcome> => {
      const runDir = join(tmp, `back-${label}`);
      mkdirSync(runDir);
      const ops = s.processes.flat().length;
      // The smallest case only failed by luck while shrinking: on confirmation it passes.
      const fails = buggy(s) && (!label.startsWith('confirm') || ops > 1);
      return { valid: fails ? false : true, runDir };
    };
    const r = await shrinkFailure({
      params,
      seed,
      runAttempt,
      isFailure: (o) => o.valid === false,
      attempts: 1,
      required: 1,
      timeBudgetMs: 60_000,
      confirmRuns: 2,
    });
    expect(r.walkedBack).toBeGreaterThanOrEqual(1);
    expect(r.after.ops).toBeGreaterThan(1);
    expect(r.confirmed).toEqual({ failures: 2, runs: 2 });
    const again = generateSchedule(params, seed, r.path).schedule;
    expect({ ...again, origin: undefined }).toEqual({ ...r.schedule, origin: undefined });
    expect(readdirSync(tmp).filter((d) => d.startsWith('back-'))).toEqual([
      r.failingRunDir!.split('/').pop(),
    ]);
  });

  it('runs the attempts of a candidate in parallel', async () => {
    const seed = findFailingSeed();
    let inFlight = 0;
    let peak = 0;
    const runAttempt = async (s: Schedule, label: string): Promise<AttemptOutcome> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const runDir = join(tmp, `par-${label}`);
      mkdirSync(runDir);
      return { valid: buggy(s) ? false : true, runDir };
    };
    const r = await shrinkFailure({
      params,
      seed,
      runAttempt,
      isFailure: (o) => o.valid === false,
      attempts: 4,
      required: 2,
      parallel: 3,
      timeBudgetMs: 60_000,
      confirmRuns: 0,
    });
    expect(peak).toBe(3);
    expect(r.after.ops).toBe(1);
    expect(r.shrinkReproduced.failures).toBeGreaterThanOrEqual(2);
    for (const d of readdirSync(tmp).filter((x) => x.startsWith('par-')))
      rmSync(join(tmp, d), { recursive: true });
  });

  it('stops at its time budget and aborts the run in flight', async () => {
    const seed = findFailingSeed();
    let aborted = 0;
    const runAttempt = (
      _s: Schedule,
      label: string,
      signal: AbortSignal,
    ): Promise<AttemptOutcome> =>
      new Promise((resolve) => {
        const runDir = join(tmp, `slow-${label}`);
        mkdirSync(runDir, { recursive: true });
        signal.addEventListener('abort', () => {
          aborted++;
          resolve({ valid: 'unknown', runDir });
        });
      });
    const t0 = Date.now();
    const r = await shrinkFailure({
      params,
      seed,
      runAttempt,
      isFailure: () => false,
      attempts: 1,
      required: 1,
      timeBudgetMs: 300,
      confirmRuns: 0,
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(aborted).toBe(1);
    expect(r.interrupted).toBe(true);
    expect(r.after).toEqual(r.before); // nothing smaller was proven
    expect(readdirSync(tmp).filter((d) => d.startsWith('slow-'))).toEqual([]);
  });
});
