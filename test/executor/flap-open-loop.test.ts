/**
 * The executor's flapping kills and open-loop timetable, on a real local etcd (the nemesis is a
 * recorder: the unit here is the executor's timing and bookkeeping; real kills are in test/nemesis).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdRegisterWorkload, type NodeEndpoint } from '../../src/clients/index.js';
import { startLocalEtcd, type LocalEtcd } from '../support/local-etcd.js';
import { Executor, type AppliedFaultLike, type NemesisControl } from '../../src/executor/index.js';
import { flapProblem, flapRounds } from '../../src/generators/flap.js';
import { generateSchedule } from '../../src/generators/generate.js';
import { openLoopSchedule } from '../../src/generators/open-loop.js';
import { parseSchedule, type Schedule } from '../../src/generators/schedule.js';
import { loadHistory } from '../../src/history/load.js';
import { Recorder } from '../../src/history/recorder.js';
import type { Fault } from '../../src/nemesis/fault.js';

let etcd: LocalEtcd;
let dir: string;
let nodes: NodeEndpoint[];
const workload = () =>
  new EtcdRegisterWorkload({
    prefix: `fl-${process.pid}-${Math.random().toString(36).slice(2, 8)}/`,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `faultline-flap-${process.pid}-`));
  etcd = await startLocalEtcd();
  nodes = [{ name: etcd.name, url: etcd.url }];
});
afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

class RecordingNemesis implements NemesisControl {
  faults: Array<{ id?: string; fault: Fault }> = [];
  calls: string[] = [];
  async apply(fault: Fault, opts?: { id?: string }): Promise<AppliedFaultLike> {
    this.faults.push({ fault, ...(opts?.id ? { id: opts.id } : {}) });
    this.calls.push(`apply:${opts?.id}`);
    return { id: `nem-${this.calls.length}`, targets: ['n2'] };
  }
  async heal(id: string): Promise<void> {
    this.calls.push(`heal:${id}`);
  }
  async healAll(): Promise<void> {
    this.calls.push('healAll');
  }
}

const flapFault = (flap: unknown): Fault => ({
  kind: 'kill',
  targets: 'one',
  params: { flap } as never,
});

describe('flapping', () => {
  it('validates a hand-written flap against its fault duration', () => {
    expect(
      flapProblem(flapFault({ count: 3, intervalMs: 500, downMs: 200 }), 1200),
    ).toBeUndefined();
    expect(flapProblem(flapFault({ count: 3, intervalMs: 500, downMs: 200 }), 1000)).toMatch(
      /needs 1200 ms/,
    );
    expect(flapProblem(flapFault({ count: 2, intervalMs: 100, downMs: 200 }), 5000)).toMatch(
      /intervalMs must be longer than downMs/,
    );
    const bad = {
      version: 1,
      durationMs: 3000,
      keyCount: 1,
      processes: [],
      faults: [
        { atMs: 0, durationMs: 500, fault: flapFault({ count: 3, intervalMs: 500, downMs: 200 }) },
      ],
    };
    expect(() => parseSchedule(bad, 's.json')).toThrow(
      /s\.json: field 'faults\[0\]\.fault\.params\.flap': flap needs 1200 ms/,
    );
    expect(flapRounds({ count: 3, intervalMs: 500, downMs: 200 })).toEqual([
      { atMs: 0, healMs: 200 },
      { atMs: 500, healMs: 700 },
      { atMs: 1000, healMs: 1200 },
    ]);
  });

  it('the generator draws flapping kills when asked, and only then', () => {
    const params = {
      durationMs: 20_000,
      faultKinds: ['kill' as const],
      faults: { count: 3, minDurationMs: 2000, maxDurationMs: 4000 },
    };
    const plain = generateSchedule(params, 3).schedule;
    expect(plain.faults.every((f) => f.fault.params?.flap === undefined)).toBe(true);
    const flapping = generateSchedule({ ...params, flap: true }, 3).schedule;
    expect(flapping.faults.length).toBeGreaterThan(0);
    for (const f of flapping.faults) {
      expect(f.fault.params?.flap).toMatchObject({ count: expect.any(Number) });
      expect(flapProblem(f.fault, f.durationMs)).toBeUndefined();
    }
    // What it draws is a valid schedule.
    expect(() => parseSchedule(JSON.parse(JSON.stringify(flapping)))).not.toThrow();
  });

  it('kills and restarts the same target round after round', async () => {
    const schedule: Schedule = {
      version: 1,
      durationMs: 2000,
      keyCount: 1,
      processes: [
        Array.from({ length: 40 }, (_, i) => ({
          delayMs: 40,
          atMs: i * 40,
          f: 'read' as const,
          key: 0,
        })),
      ],
      faults: [
        {
          atMs: 200,
          durationMs: 1300,
          fault: flapFault({ count: 3, intervalMs: 500, downMs: 200 }),
        },
      ],
    };
    const file = join(dir, 'flap.jsonl');
    const nemesis = new RecordingNemesis();
    await new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder: await Recorder.open(file),
      nemesis,
    }).run();
    expect(nemesis.calls).toEqual([
      'apply:f0.1',
      'heal:nem-1',
      'apply:f0.2',
      'heal:nem-3',
      'apply:f0.3',
      'heal:nem-5',
      'healAll',
    ]);
    // The first round resolves `one`; the later rounds hit the node it resolved to.
    expect(nemesis.faults.map((f) => f.fault.targets)).toEqual([
      'one',
      { nodes: ['n2'] },
      { nodes: ['n2'] },
    ]);
    const { ops } = await loadHistory(file);
    const starts = ops.filter(
      (o) => o.process === 'nemesis' && o.type === 'invoke' && o.f === 'start-kill',
    );
    const stops = ops.filter(
      (o) => o.process === 'nemesis' && o.type === 'invoke' && o.f === 'stop-kill',
    );
    expect(starts).toHaveLength(3);
    expect(stops).toHaveLength(3);
    const t0 = ops[0]!.time;
    const ms = (t: number) => (t - t0) / 1e6;
    [200, 700, 1200].forEach((want, k) => {
      expect(ms(starts[k]!.time)).toBeGreaterThanOrEqual(want - 60);
      expect(ms(starts[k]!.time)).toBeLessThan(want + 150);
      expect(ms(stops[k]!.time) - ms(starts[k]!.time)).toBeGreaterThanOrEqual(150);
    });
  }, 30_000);
});

describe('open loop', () => {
  it("records each op's intended start on the history clock, at or before its invoke", async () => {
    const gen = generateSchedule(
      { durationMs: 2000, concurrency: 2, rate: 25, faultKinds: [] },
      9,
    ).schedule;
    const schedule = openLoopSchedule(gen, 50);
    expect(schedule.openLoop).toEqual({ rate: 50 });
    // Worker 0 at 0, 40, 80 ms...; worker 1 at 20, 60, ... : one op every 20 ms in all.
    expect(schedule.processes[0]!.slice(0, 3).map((o) => o.atMs)).toEqual([0, 40, 80]);
    expect(schedule.processes[1]!.slice(0, 3).map((o) => o.atMs)).toEqual([20, 60, 100]);
    const file = join(dir, 'open.jsonl');
    await new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder: await Recorder.open(file),
      openLoop: true,
      finalReads: false,
    }).run();
    const { ops } = await loadHistory(file);
    const invokes = ops.filter((o) => o.type === 'invoke' && o.process === 0);
    expect(invokes.length).toBeGreaterThan(40);
    for (const op of invokes) {
      expect(op.intended).toBeDefined();
      expect(op.intended!).toBeLessThanOrEqual(op.time);
    }
    // Intended starts keep the timetable's 40 ms spacing, whatever the invokes did.
    const gaps = invokes.slice(1).map((op, i) => (op.intended! - invokes[i]!.intended!) / 1e6);
    for (const g of gaps) expect(g).toBeCloseTo(40, -1);
  }, 30_000);
});
