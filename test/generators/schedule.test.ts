import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSchedule,
  loadSchedule,
  opCount,
  opsPerProcess,
  parseSchedule,
  resolveScheduleParams,
  scheduleArbitrary,
  scheduleSchema,
  ScheduleError,
  formatSchedule,
  type Schedule,
  type ScheduleParams,
} from '../../src/generators/index.js';

const small: Partial<ScheduleParams> = {
  durationMs: 2_000,
  concurrency: 3,
  rate: 10,
  keys: 4,
  values: 3,
  faultKinds: ['partition', 'kill', 'pause', 'latency', 'compound'],
  faults: { count: 3, minDurationMs: 100, maxDurationMs: 400 },
  settleMs: 200,
};

describe('scheduleArbitrary', () => {
  it('generates schedules that validate and respect the knobs', () => {
    const p = resolveScheduleParams(small);
    fc.assert(
      fc.property(scheduleArbitrary(p), (s) => {
        expect(scheduleSchema.safeParse(s).success).toBe(true);
        expect(s.durationMs).toBe(p.durationMs);
        expect(s.processes.length).toBe(p.concurrency);
        for (const ops of s.processes) {
          expect(ops.length).toBe(opsPerProcess(p));
          let prev = 0;
          for (const op of ops) {
            // Sorted absolute start times inside the run; delayMs is the gap to the previous op.
            expect(op.atMs).toBeGreaterThanOrEqual(prev);
            expect(op.atMs).toBeLessThan(p.durationMs);
            expect(op.delayMs).toBe(op.atMs! - prev);
            prev = op.atMs!;
            expect(op.key).toBeLessThan(p.keys);
            expect(op.key).toBeLessThan(s.keyCount);
            if (op.f === 'write') expect(op.value).toBeLessThan(p.values);
            if (op.f === 'cas') for (const v of op.value) expect(v).toBeLessThan(p.values);
          }
        }
        // 3 faults of at most 400 ms fit in 2000 - 200 ms: all of them are scheduled.
        expect(s.faults.length).toBe(p.faults.count);
        let end = 0;
        for (const f of s.faults) {
          expect(f.atMs).toBeGreaterThanOrEqual(end); // no overlap, sorted
          expect(f.durationMs).toBeGreaterThanOrEqual(p.faults.minDurationMs);
          expect(f.durationMs).toBeLessThanOrEqual(p.faults.maxDurationMs);
          end = f.atMs + f.durationMs;
          expect(end).toBeLessThanOrEqual(p.durationMs - p.settleMs);
          expect(p.faultKinds).toContain(f.fault.kind);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('delays average to the requested rate and the op mix follows its weights', () => {
    const { schedule } = generateSchedule(
      {
        durationMs: 20_000,
        concurrency: 5,
        rate: 20,
        opMix: { read: 3, write: 1, cas: 0 },
        faultKinds: [],
      },
      42,
    );
    const ops = schedule.processes.flat();
    expect(ops.length).toBe(5 * 400);
    const meanDelay = ops.reduce((a, op) => a + op.delayMs, 0) / ops.length;
    expect(meanDelay).toBeGreaterThan(45);
    expect(meanDelay).toBeLessThan(55); // 1000 / 20 ops/s
    expect(ops.some((op) => op.f === 'cas')).toBe(false);
    const reads = ops.filter((op) => op.f === 'read').length / ops.length;
    expect(reads).toBeGreaterThan(0.7);
    expect(reads).toBeLessThan(0.8);
    expect(schedule.faults).toEqual([]);
  });

  it('is reproducible from (params, seed) and records the origin', () => {
    const a = generateSchedule(small, 1234);
    const b = generateSchedule(small, 1234);
    const c = generateSchedule(small, 1235);
    expect(a.schedule).toEqual(b.schedule);
    expect(a.schedule).not.toEqual(c.schedule);
    expect(a.schedule.origin?.seed).toBe(1234);
    // A saved schedule round-trips through the loader.
    expect(parseSchedule(JSON.parse(formatSchedule(a.schedule)))).toEqual(a.schedule);
  });
});

describe('shrinking', () => {
  /** Runs a property expected to fail and returns fast-check's minimized counterexample. */
  function shrunk(params: Partial<ScheduleParams>, bad: (s: Schedule) => boolean, seed = 7) {
    const details = fc.check(
      fc.property(scheduleArbitrary(params), (s) => !bad(s)),
      { seed, numRuns: 100 },
    );
    expect(details.failed).toBe(true);
    return { schedule: details.counterexample![0], details };
  }

  it('"fails if any cas" shrinks to a single cas op on key 0 with no faults', () => {
    const { schedule } = shrunk(small, (s) =>
      s.processes.some((ops) => ops.some((op) => op.f === 'cas')),
    );
    expect(opCount(schedule)).toBe(1);
    // Processes keep their slots (process i talks to node i); the others are emptied.
    expect(schedule.processes.length).toBe(3);
    const [op] = schedule.processes.flat();
    expect(op).toEqual({ atMs: op!.atMs, delayMs: op!.atMs, f: 'cas', key: 0, value: [0, 0] });
    expect(schedule.keyCount).toBe(1);
    expect(schedule.faults).toEqual([]);
  });

  it('a fault-dependent failure shrinks to one short fault and no ops', () => {
    const p = resolveScheduleParams(small);
    const { schedule } = shrunk(small, (s) => s.faults.some((f) => f.fault.kind === 'kill'));
    expect(schedule.faults.length).toBe(1);
    expect(schedule.faults[0]!.durationMs).toBe(p.faults.minDurationMs);
    expect(schedule.faults[0]!.fault.targets).toBe('one');
    expect(opCount(schedule)).toBe(0);
  });

  it('dropping ops and faults moves nothing that is kept', () => {
    // A timing-dependent "bug": a write in process 1 while a partition is in force, and a
    // read in process 2 after that write, inside the same partition.
    const during = (s: Schedule, t: number) =>
      s.faults.find(
        (f) => f.fault.kind === 'partition' && f.atMs <= t && t < f.atMs + f.durationMs,
      );
    const bad = (s: Schedule) =>
      s.processes[1]!.some((w) => {
        const f = during(s, w.atMs!);
        return (
          w.f === 'write' &&
          f !== undefined &&
          s.processes[2]!.some(
            (r) => r.f === 'read' && r.atMs! > w.atMs! && during(s, r.atMs!) === f,
          )
        );
      });
    const params = { ...small, faultKinds: ['partition', 'kill'] as ScheduleParams['faultKinds'] };
    const { schedule, details } = shrunk(params, bad, 3);
    const original = generateSchedule(
      params,
      details.seed,
      details.counterexamplePath!.split(':')[0],
    ).schedule;
    // Down to the write, the read and their partition...
    expect(opCount(schedule)).toBe(2);
    expect(schedule.faults).toHaveLength(1);
    // ...each at its original time, in its original process; the fault in its original slot.
    schedule.processes.forEach((ops, p) =>
      ops.forEach((op) =>
        expect(original.processes[p]!.some((o) => o.atMs === op.atMs && o.f === op.f)).toBe(true),
      ),
    );
    expect(original.faults.map((f) => f.atMs)).toContain(schedule.faults[0]!.atMs);
  });

  it('a failure needing two keys keeps exactly two keys', () => {
    const { schedule } = shrunk(
      small,
      (s) => new Set(s.processes.flat().map((op) => op.key)).size >= 2,
    );
    expect(opCount(schedule)).toBe(2);
    expect(schedule.keyCount).toBe(2);
  });

  it('the counterexample replays from (seed, path) through generateSchedule', () => {
    const bad = (s: Schedule) => s.processes.some((ops) => ops.some((op) => op.f === 'cas'));
    const { schedule, details } = shrunk(small, bad, 99);
    const replay = generateSchedule(small, details.seed, details.counterexamplePath!);
    expect(replay.path).toBe(details.counterexamplePath);
    expect({ ...replay.schedule, origin: undefined }).toEqual({ ...schedule, origin: undefined });
  });
});

describe('loadSchedule', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `faultline-sched-${process.pid}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a saved schedule', async () => {
    const { schedule } = generateSchedule(small, 5);
    const file = join(dir, 'ok.json');
    await writeFile(file, formatSchedule(schedule));
    expect(await loadSchedule(file)).toEqual(schedule);
  });

  it('names the file and field of a bad op', async () => {
    const { schedule } = generateSchedule(small, 5);
    (schedule.processes[1]![2] as { key: unknown }).key = 'k1';
    const file = join(dir, 'bad-key.json');
    await writeFile(file, formatSchedule(schedule));
    const err = await loadSchedule(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScheduleError);
    expect((err as ScheduleError).userMessage).toContain(`${file}: field 'processes[1][2].key'`);
  });

  it('rejects keys outside keyCount and unknown fault kinds', () => {
    const { schedule } = generateSchedule(small, 5);
    const s1 = structuredClone(schedule);
    s1.processes[0]![0]!.key = s1.keyCount;
    expect(() => parseSchedule(s1, 'x.json')).toThrow(/processes\[0\]\[0\]\.key'.*outside/);
    const s2 = {
      ...structuredClone(schedule),
      faults: [{ atMs: 0, durationMs: 1, fault: { kind: 'meteor', targets: 'one' } }],
    };
    expect(() => parseSchedule(s2, 'x.json')).toThrow(/faults\[0\]\.fault\.kind/);
  });

  it('names the line of a JSON syntax error', async () => {
    const file = join(dir, 'syntax.json');
    await writeFile(file, '{\n  "version": 1,\n  "durationMs": 10,,\n}\n');
    await expect(loadSchedule(file)).rejects.toThrow(`${file}:3: invalid JSON`);
  });
});
