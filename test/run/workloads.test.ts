/** The pure parts of workload-generic runs: vote schedules, fault retargeting, observations. */
import { describe, expect, it } from 'vitest';
import { checkConvergence } from '../../src/checkers/convergence/check.js';
import type { Fault } from '../../src/nemesis/fault.js';
import { parseSchedule } from '../../src/generators/schedule.js';
import { forOneNode, generateVoteSchedule } from '../../src/generators/vote-schedule.js';
import type { History, Op } from '../../src/history/op.js';
import { retargetFault, withFaultTargets } from '../../src/run/fault-targets.js';
import { voteObservations, voteShapeOf } from '../../src/run/workloads.js';

describe('vote schedules', () => {
  const params = {
    durationMs: 2000,
    concurrency: 6,
    rate: 20,
    faultKinds: ['kill', 'pause', 'partition'] as Fault['kind'][],
    faults: { count: 2, minDurationMs: 200, maxDurationMs: 400 },
  };

  it('racers of one voter vote in the same round at the same time, for different candidates', () => {
    const { schedule, shape } = generateVoteSchedule(params, { racers: 2, candidates: 3 }, 7);
    expect(shape).toEqual({ voters: 3, racers: 2, candidates: 3, roundMs: 50, rounds: 40 });
    expect(schedule.processes).toHaveLength(6);
    for (const ops of schedule.processes) expect(ops).toHaveLength(40);
    for (let round = 0; round < 40; round++) {
      const ops = schedule.processes.map((p) => p[round]!);
      expect(new Set(ops.map((o) => o.atMs))).toEqual(new Set([round * 50]));
      for (const voter of ['v0', 'v1', 'v2']) {
        const mine = ops.filter((o) => o.value.voter === voter);
        expect(mine).toHaveLength(2);
        expect(new Set(mine.map((o) => o.value.candidate)).size).toBe(2);
      }
    }
    expect(voteShapeOf(schedule)).toEqual({ voters: 3, racers: 2, rounds: 40, candidates: 3 });
    // Saved and loaded like any schedule; same seed, same schedule.
    expect(parseSchedule(JSON.parse(JSON.stringify(schedule)))).toEqual(schedule);
    expect(generateVoteSchedule(params, { racers: 2, candidates: 3 }, 7).schedule).toEqual(
      schedule,
    );
  });

  it('on one node every fault targets it and a partition cuts it off from its clients', () => {
    const { schedule } = generateVoteSchedule(
      params,
      { racers: 2, candidates: 3, oneNode: true },
      7,
    );
    for (const f of schedule.faults) expect(f.fault.targets).toBe('all');
    expect(
      forOneNode({ kind: 'partition', targets: 'all', params: { shape: 'majority' } }),
    ).toEqual({
      kind: 'partition',
      targets: 'all',
      params: { shape: 'clients' },
    });
    const compound = forOneNode({
      kind: 'compound',
      targets: 'all',
      params: {
        faults: [
          { kind: 'kill', targets: 'minority' },
          { kind: 'partition', targets: 'all', params: { shape: 'one' } },
        ],
      },
    });
    expect(compound.params!.faults).toEqual([
      { kind: 'kill', targets: 'all' },
      { kind: 'partition', targets: 'all', params: { shape: 'clients' } },
    ]);
  });
});

describe('--fault-targets', () => {
  it('points every fault (and compound part) at the named nodes; partitions isolate them', () => {
    expect(
      retargetFault({ kind: 'kill', targets: 'minority', params: {} }, ['n1', 'n2', 'n3']),
    ).toEqual({ kind: 'kill', targets: { nodes: ['n1', 'n2', 'n3'] }, params: {} });
    expect(
      retargetFault({ kind: 'partition', targets: 'all', params: { shape: 'bridge' } }, ['n2']),
    ).toEqual({ kind: 'partition', targets: { nodes: ['n2'] }, params: {} });
    const s = withFaultTargets(
      {
        version: 1,
        durationMs: 1,
        keyCount: 1,
        processes: [],
        faults: [
          {
            atMs: 0,
            durationMs: 1,
            fault: {
              kind: 'compound',
              targets: 'all',
              params: { faults: [{ kind: 'pause', targets: 'one' }] },
            },
          },
        ],
      },
      ['n4'],
    );
    expect(s.faults[0]!.fault.params!.faults).toEqual([
      { kind: 'pause', targets: { nodes: ['n4'] } },
    ]);
  });
});

describe('vote convergence observations', () => {
  const op = (o: Partial<Op> & Pick<Op, 'index' | 'type' | 'process'>): Op =>
    ({ time: o.index, f: 'read-votes', node: 'n1', ...o }) as Op;
  const nodes = [{ name: 'n1', url: 'postgres://postgres@10.77.3.11:5432/postgres' }];
  const a = { voter: 'v0', round: 1, candidate: 'c0' };
  const b = { voter: 'v1', round: 1, candidate: 'c1' };

  it('each final read is one client path; order does not matter, content does', () => {
    const h: History = [
      op({ index: 0, type: 'invoke', process: 6 }),
      op({ index: 1, type: 'ok', process: 6, value: [a, b] }),
      op({ index: 2, type: 'invoke', process: 7 }),
      op({ index: 3, type: 'ok', process: 7, value: [b, a] }),
    ];
    const obs = voteObservations(h, nodes);
    expect(obs.map((o) => o.replica)).toEqual(['n1 via p6', 'n1 via p7']);
    expect(checkConvergence(obs).valid).toBe(true);
    const differ: History = [
      ...h.slice(0, 3),
      op({ index: 3, type: 'ok', process: 7, value: [a] }),
    ];
    expect(checkConvergence(voteObservations(differ, nodes)).valid).toBe(false);
  });

  it('a failed final read leaves its path unobserved', () => {
    const h: History = [
      op({ index: 0, type: 'invoke', process: 6 }),
      op({ index: 1, type: 'fail', process: 6, error: 'timeout' }),
    ];
    const obs = voteObservations(h, nodes);
    expect(obs).toEqual([
      { replica: 'n1 via p6', via: nodes[0]!.url, error: 'final read-votes fail: "timeout"' },
    ]);
    expect(checkConvergence(obs).valid).toBe('unknown');
  });
});
