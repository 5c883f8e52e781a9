/**
 * The executor against a real single-node etcd, recording with the real Recorder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { EtcdRegisterWorkload, type NodeEndpoint } from '../../src/clients/index.js';
import { startLocalEtcd, type LocalEtcd } from '../support/local-etcd.js';
import {
  Executor,
  MemorySink,
  attachProgressLine,
  type AppliedFaultLike,
  type NemesisControl,
  type Progress,
} from '../../src/executor/index.js';
import { generateSchedule, type Schedule } from '../../src/generators/index.js';
import type { Fault } from '../../src/nemesis/fault.js';
import { loadHistory } from '../../src/history/load.js';
import { Recorder } from '../../src/history/recorder.js';
import { validateHistory } from '../../src/history/validate.js';
import type { Op } from '../../src/history/op.js';
import type { Nemesis } from '../../src/nemesis/nemesis.js';

let etcd: LocalEtcd;
let dir: string;
let nodes: NodeEndpoint[];
const workload = () =>
  new EtcdRegisterWorkload({
    prefix: `x-${process.pid}-${Math.random().toString(36).slice(2, 8)}/`,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `faultline-exec-${process.pid}-`));
  etcd = await startLocalEtcd();
  nodes = [{ name: etcd.name, url: etcd.url }];
});

afterAll(async () => {
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Records what the executor asks of the nemesis, and does nothing else. A fake is right here:
 * the unit under test is the executor's fault bookkeeping and healing, not fault injection
 * (the real Nemesis is tested against a real cluster in test/nemesis).
 */
class RecordingNemesis implements NemesisControl {
  calls: string[] = [];
  constructor(private readonly failApply = false) {}
  async apply(fault: Fault, opts?: { id?: string }): Promise<AppliedFaultLike> {
    this.calls.push(`apply:${fault.kind}:${opts?.id}`);
    if (this.failApply) throw new Error('iptables said no');
    return {
      id: `nem-${this.calls.length}`,
      targets: ['n1'],
      verification: { ok: true },
      details: { grudge: {} },
    };
  }
  async heal(id: string): Promise<void> {
    this.calls.push(`heal:${id}`);
  }
  async healAll(): Promise<void> {
    this.calls.push('healAll');
  }
}

function completionsMatchInvokes(ops: Op[]): void {
  const open = new Map<Op['process'], Op>();
  for (const op of ops) {
    if (op.type === 'invoke') {
      expect(open.has(op.process)).toBe(false);
      open.set(op.process, op);
    } else {
      expect(open.get(op.process)?.f).toBe(op.f);
      open.delete(op.process);
    }
  }
  expect([...open.values()]).toEqual([]); // every invoke completed
}

describe('Executor', () => {
  it('accepts the cluster Nemesis as its nemesis (type-level)', () => {
    expectTypeOf<Nemesis>().toExtend<NemesisControl>();
  });

  it('runs a short schedule: well-formed history, every process, final reads, progress', async () => {
    const { schedule } = generateSchedule(
      { durationMs: 3_000, concurrency: 4, rate: 20, keys: 3, values: 4, faultKinds: [] },
      2024,
    );
    const file = join(dir, 'history.jsonl');
    const recorder = await Recorder.open(file);
    const ex = new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder,
      progressIntervalMs: 500,
    });
    const progress = firstValueFrom(ex.progress$.pipe(toArray()));
    const streamed = firstValueFrom(ex.ops$.pipe(toArray()));
    const summary = await ex.run();

    const { ops } = await loadHistory(file);
    expect(validateHistory(ops)).toEqual([]);
    completionsMatchInvokes(ops);
    expect(await streamed).toEqual(ops);
    expect(ops.filter((o) => o.type === 'info')).toEqual([]); // healthy etcd: no timeouts
    for (let p = 0; p < 4; p++)
      expect(ops.some((o) => o.process === p && o.type === 'ok')).toBe(true);
    for (const o of ops) expect(o.node).toBe('n1');

    // Final reads: one per key, by a fresh process, after every worker op.
    const lastWorkerOp = Math.max(
      ...ops.filter((o) => typeof o.process === 'number' && o.process < 4).map((o) => o.index),
    );
    const finals = ops.filter((o) => o.index > lastWorkerOp && o.type === 'ok');
    expect(finals.map((o) => [o.f, o.key])).toEqual(
      [...Array(schedule.keyCount).keys()].map((k) => ['read', k]),
    );
    expect(new Set(finals.map((o) => o.process))).toEqual(new Set([4]));

    expect(summary).toMatchObject({
      aborted: false,
      recovered: true,
      finalReads: schedule.keyCount,
      info: 0,
    });
    expect(summary.ok).toBeGreaterThan(20);
    expect(summary.ok + summary.fail).toBe(
      ops.filter((o) => o.type !== 'invoke' && o.index <= lastWorkerOp).length,
    );

    const ticks: Progress[] = await progress;
    expect(ticks.filter((t) => t.phase === 'running').length).toBeGreaterThanOrEqual(3);
    expect(ticks.at(-1)).toMatchObject({ phase: 'done', ok: summary.ok, inFlight: 0 });
    expect(ticks.some((t) => t.opsPerSec > 0)).toBe(true);
  });

  it('an abort mid-run heals the active fault, records it, and closes the recorder', async () => {
    const schedule: Schedule = {
      version: 1,
      durationMs: 30_000,
      keyCount: 1,
      processes: [0, 1].map(() =>
        Array.from({ length: 10_000 }, () => ({ delayMs: 5, f: 'read' as const, key: 0 })),
      ),
      faults: [
        {
          atMs: 100,
          durationMs: 20_000,
          fault: { kind: 'partition', targets: 'all', params: { shape: 'one' } },
        },
      ],
    };
    const file = join(dir, 'aborted.jsonl');
    const recorder = await Recorder.open(file);
    const nemesis = new RecordingNemesis();
    const ac = new AbortController();
    const ex = new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder,
      nemesis,
      signal: ac.signal,
    });
    const faultEvents = firstValueFrom(ex.faults$.pipe(toArray()));
    // Abort once the fault is in place.
    ex.faults$
      .pipe(filter((e) => e.type === 'started'))
      .subscribe(() => setTimeout(() => ac.abort(), 200));
    const summary = await ex.run();

    expect(summary.aborted).toBe(true);
    expect(summary.runMs).toBeLessThan(20_000); // it stopped early instead of running the fault out
    expect(nemesis.calls).toEqual(['apply:partition:f0', 'heal:nem-1', 'healAll']);
    expect(() => recorder.record({ type: 'invoke', process: 0, f: 'read' })).toThrow(/closed/);
    const { ops } = await loadHistory(file);
    const nem = ops.filter((o) => o.process === 'nemesis');
    expect(nem.map((o) => [o.type, o.f])).toEqual([
      ['invoke', 'start-partition'],
      ['info', 'start-partition'],
      ['invoke', 'stop-partition'],
      ['info', 'stop-partition'],
    ]);
    expect(nem[0]!.value).toEqual({
      id: 'f0',
      kind: 'partition',
      targets: 'all',
      params: { shape: 'one' },
    });
    expect(nem[1]!.value).toEqual({
      id: 'f0',
      kind: 'partition',
      targets: ['n1'],
      params: { shape: 'one' },
      verified: { ok: true },
      details: { grudge: {} },
    });
    expect(nem[2]!.value).toEqual({ id: 'f0' });
    expect(validateHistory(ops)).toEqual([]);
    completionsMatchInvokes(ops);
    expect(ops.filter((o) => o.type === 'ok').length).toBeGreaterThan(0);
    expect(summary.finalReads).toBe(0); // aborted: no final reads
    expect((await faultEvents).map((e) => e.type)).toEqual([
      'starting',
      'started',
      'stopping',
      'stopped',
    ]);
  });

  it('a fault that fails to apply is recorded with its error and healAll still runs', async () => {
    const schedule: Schedule = {
      version: 1,
      durationMs: 600,
      keyCount: 1,
      processes: [[{ delayMs: 0, f: 'write', key: 0, value: 1 }]],
      faults: [{ atMs: 50, durationMs: 100, fault: { kind: 'kill', targets: 'one' } }],
    };
    const sink = new MemorySink();
    const nemesis = new RecordingNemesis(true);
    const summary = await new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder: sink,
      nemesis,
    }).run();
    expect(nemesis.calls).toEqual(['apply:kill:f0', 'healAll']);
    const nem = sink.ops.filter((o) => o.process === 'nemesis');
    expect(nem.map((o) => [o.type, o.f, o.error])).toEqual([
      ['invoke', 'start-kill', undefined],
      ['info', 'start-kill', 'iptables said no'],
    ]);
    expect(summary.faultsFailed).toBe(1);
    expect(summary.problems.join()).toMatch(/iptables said no/);
    expect(summary.recovered).toBe(true);
  });

  it('ops that end in info move the worker to a fresh process number', async () => {
    const schedule: Schedule = {
      version: 1,
      durationMs: 5_000,
      keyCount: 1,
      processes: [[0, 1, 2].map((v) => ({ delayMs: 0, f: 'write' as const, key: 0, value: v }))],
      faults: [],
    };
    const sink = new MemorySink();
    const ex = new Executor({
      schedule,
      workload: workload(),
      nodes,
      recorder: sink,
      opTimeoutMs: 200,
      finalReads: false,
    });
    // Pause etcd for the first op only: it times out (info), the rest succeed.
    process.kill(etcd.pid, 'SIGSTOP');
    ex.ops$
      .pipe(filter((o) => o.type === 'info'))
      .subscribe(() => process.kill(etcd.pid, 'SIGCONT'));
    try {
      await ex.run();
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
    }
    const completions = sink.ops.filter((o) => o.type !== 'invoke');
    expect(completions[0]).toMatchObject({ type: 'info', process: 0, value: 0, error: 'timeout' });
    expect(completions.slice(1).every((o) => o.process === 1)).toBe(true);
    expect(validateHistory(sink.ops)).toEqual([]);
  });
});

describe('attachProgressLine', () => {
  const tick = (elapsedMs: number, phase: Progress['phase'] = 'running'): Progress => ({
    phase,
    elapsedMs,
    opsPerSec: 12,
    ok: 3,
    fail: 1,
    info: 0,
    inFlight: 2,
    activeFaults: ['f0:pause'],
  });

  async function render(isTTY: boolean): Promise<string> {
    const { Subject } = await import('rxjs');
    let out = '';
    const stream = Object.assign(
      new (await import('node:stream')).Writable({
        write(chunk: Buffer, _e, done) {
          out += chunk.toString();
          done();
        },
      }),
      { isTTY, columns: 200 },
    );
    const s = new Subject<Progress>();
    attachProgressLine(s, { stream, plainEveryMs: 2000 });
    for (const t of [0, 1000, 2000, 3000]) s.next(tick(t));
    s.next(tick(3500, 'done'));
    s.complete();
    return out;
  }

  it('rewrites one line on a TTY', async () => {
    const out = await render(true);
    expect(out.split('\r').length).toBe(6);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n').length).toBe(2);
    expect(out).toContain('f0:pause');
  });

  it('prints periodic plain lines otherwise', async () => {
    const lines = (await render(false)).trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, 9))).toEqual(['[   0.0s]', '[   2.0s]', '[   3.5s]']);
    expect(lines.join('')).not.toContain('\r');
  });
});
