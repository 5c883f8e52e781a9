/**
 * A realistic synthetic run directory, for report tests, benchmarks and demos
 * (`writeSampleRun(dir, {ops: 100_000})`): a simulated 5-node cas-register service driven by
 * concurrent workers (ok / fail / info, a new process number after each info as Jepsen does),
 * faults as nemesis ops per the shared contracts (partition, kill, latency) that make ops slow,
 * failed or indeterminate while active, plus schedule.json, faults.journal.jsonl and a
 * results.json whose linearizability check failed. Deterministic for a given seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { JsonValue, Op } from '../../src/history/op.js';
import { serializeOp } from '../../src/history/jsonl.js';
import { checkPerf } from '../../src/checkers/perf/index.js';
import { checkStuck } from '../../src/checkers/stuck/index.js';
import { inRun } from '../../src/run-layout.js';

export interface SampleRunOptions {
  ops?: number;
  concurrency?: number;
  seed?: number;
  keys?: number;
}

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const MS = 1e6;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimFault {
  id: string;
  kind: string;
  targets: string[];
  params: { [k: string]: JsonValue };
  /** Fractions of the run. */
  from: number;
  to: number;
}

const FAULTS: SimFault[] = [
  {
    id: 'f1',
    kind: 'partition',
    targets: ['n1', 'n2'],
    params: { shape: 'majority' },
    from: 0.18,
    to: 0.32,
  },
  { id: 'f2', kind: 'kill', targets: ['n3'], params: {}, from: 0.48, to: 0.56 },
  {
    id: 'f3',
    kind: 'latency',
    targets: ['n4', 'n5'],
    params: { latencyMs: 40, jitterMs: 10 },
    from: 0.7,
    to: 0.82,
  },
];

export interface SampleRun {
  dir: string;
  ops: number;
  /** History index of the op the sample linearizability violation names. */
  violationIndex: number;
}

export async function writeSampleRun(dir: string, opts: SampleRunOptions = {}): Promise<SampleRun> {
  const target = opts.ops ?? 10_000;
  const conc = opts.concurrency ?? 10;
  const seed = opts.seed ?? 42;
  const nKeys = opts.keys ?? 1;
  const rnd = mulberry32(seed);
  // Expected run length: ops / concurrency * ~3.4 ms per op.
  const spanNs = Math.max(2000, (target / conc) * 3.4) * MS;
  const faults = FAULTS.map((f) => ({ ...f, t0: f.from * spanNs, t1: f.to * spanNs }));
  const active = (t: number): (typeof faults)[number][] =>
    faults.filter((f) => t >= f.t0 && t < f.t1);
  const logn = (median: number, sigma: number): number =>
    median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()));

  type Ev = Omit<Op, 'index'> & { seq: number };
  const events: Ev[] = [];
  let seq = 0;
  const push = (e: Omit<Ev, 'seq'>): void => void events.push({ ...e, seq: seq++ });
  const registers = new Array<number>(nKeys).fill(0);
  let made = 0;
  const workers = Array.from({ length: conc }, (_, w) => ({
    process: w,
    t: rnd() * 2 * MS,
    node: NODES[w % NODES.length]!,
  }));
  while (made < target) {
    // advance the worker that is furthest behind (keeps invocations roughly in time order)
    let w = workers[0]!;
    for (const x of workers) if (x.t < w.t) w = x;
    const t = w.t;
    const key = nKeys > 1 ? `k${Math.floor(rnd() * nKeys)}` : undefined;
    const ki = key ? Number(key.slice(1)) : 0;
    const r = rnd();
    const f = r < 0.5 ? 'read' : r < 0.8 ? 'write' : 'cas';
    const value: JsonValue =
      f === 'read'
        ? null
        : f === 'write'
          ? Math.floor(rnd() * 10)
          : [Math.floor(rnd() * 5), Math.floor(rnd() * 10)];
    push({
      time: Math.round(t),
      type: 'invoke',
      process: w.process,
      f,
      ...(key ? { key } : {}),
      value,
      node: w.node,
    });
    const res: { type: Op['type']; error?: JsonValue; lat: number } = {
      type: 'ok',
      lat: logn(2.2, 0.45) * MS,
    };
    const settle = (type: Op['type'], error: string, ms: number): void => {
      Object.assign(res, { type, error, lat: ms * MS });
    };
    for (const fl of active(t)) {
      if (fl.kind === 'partition' && fl.targets.includes(w.node)) {
        if (rnd() < 0.6) settle('info', 'timeout', 1000);
        else settle('fail', 'no-leader', logn(5, 0.3));
      } else if (fl.kind === 'kill' && fl.targets.includes(w.node)) {
        settle('fail', 'connection-refused', logn(0.4, 0.3));
      } else if (fl.kind === 'latency') {
        res.lat += (40 + rnd() * 10) * MS * (fl.targets.includes(w.node) ? 1 : 0.5);
      } else if (fl.kind === 'partition' && rnd() < 0.02) {
        res.lat += logn(150, 0.5) * MS; // leader election stall
      }
    }
    if (res.type === 'ok' && rnd() < 0.0003) settle('info', 'timeout', 1000);
    if (res.type === 'ok' && f === 'cas' && (value as number[])[0] !== registers[ki]) {
      res.type = 'fail';
      res.error = 'precondition-failed';
    }
    const { type, error } = res;
    let result: JsonValue = value;
    if (type === 'ok') {
      if (f === 'read') result = registers[ki]!;
      else if (f === 'write') registers[ki] = value as number;
      else registers[ki] = (value as number[])[1]!;
    }
    const end = Math.round(t + res.lat);
    push({
      time: end,
      type,
      process: w.process,
      f,
      ...(key ? { key } : {}),
      value: type === 'ok' ? result : value,
      ...(error !== undefined ? { error } : {}),
      node: w.node,
    });
    made++;
    if (type === 'info') w.process += conc; // Jepsen: a crashed worker continues as a new process
    w.t = end + rnd() * 0.3 * MS;
  }
  // nemesis ops per the shared contracts
  for (const fl of faults) {
    const val = { id: fl.id, kind: fl.kind, targets: fl.targets, params: fl.params };
    // shaped like src/nemesis/verify.ts's Verification
    const verified: JsonValue =
      fl.kind === 'partition'
        ? {
            ok: true,
            observed: { cut: fl.targets.map((n) => `${n}->n3`), uncutProbe: 'connected' },
          }
        : fl.kind === 'kill'
          ? { ok: true, observed: { pidGone: true } }
          : null; // latency: not verified
    push({
      time: Math.round(fl.t0),
      type: 'invoke',
      process: 'nemesis',
      f: `start-${fl.kind}`,
      value: val,
    });
    push({
      time: Math.round(fl.t0 + 35 * MS),
      type: 'info',
      process: 'nemesis',
      f: `start-${fl.kind}`,
      value: { ...val, ...(verified === null ? {} : { verified }) },
    });
    push({
      time: Math.round(fl.t1),
      type: 'invoke',
      process: 'nemesis',
      f: `stop-${fl.kind}`,
      value: { id: fl.id },
    });
    push({
      time: Math.round(fl.t1 + 20 * MS),
      type: 'info',
      process: 'nemesis',
      f: `stop-${fl.kind}`,
      value: { id: fl.id },
    });
  }
  events.sort((a, b) => a.time - b.time || a.seq - b.seq);
  const ops: Op[] = events.map(({ seq: _seq, ...e }, index) => ({ index, ...e }) as Op);

  // A violation as the linearizability checker reports it: a read in the second half.
  const reads = ops.filter((o) => o.type === 'ok' && o.f === 'read' && o.time > spanNs * 0.6);
  const bad = reads[Math.floor(reads.length / 3)] ?? ops.find((o) => o.type === 'ok')!;
  const inv = [...ops]
    .reverse()
    .find((o) => o.index < bad.index && o.process === bad.process && o.type === 'invoke')!;
  const completion = new Map<number, Op>(); // invoke index -> completion
  const openInv = new Map<unknown, Op>();
  for (const o of ops) {
    if (o.process === 'nemesis') continue;
    if (o.type === 'invoke') openInv.set(o.process, o);
    else {
      const i = openInv.get(o.process);
      if (i) completion.set(i.index, o);
      openInv.delete(o.process);
    }
  }
  const summary = (i: Op, c: Op | undefined): JsonValue => ({
    index: i.index,
    completeIndex: c?.index ?? -1,
    process: i.process,
    f: i.f,
    value: i.value ?? null,
    output: c?.type === 'ok' ? (c.value ?? null) : null,
    status: c?.type === 'ok' ? 'ok' : 'info',
    description: `${i.f} ${JSON.stringify(c?.type === 'ok' && i.f === 'read' ? c.value : i.value)}`,
    invokeTime: i.time,
    completeTime: c?.time ?? -1,
  });
  const okInvokes = ops.filter(
    (o) => o.type === 'invoke' && o.process !== 'nemesis' && completion.get(o.index)?.type === 'ok',
  );
  const concurrent = okInvokes
    .filter(
      (o) =>
        o.process !== inv.process && o.time < bad.time && completion.get(o.index)!.time > inv.time,
    )
    .slice(0, 8);
  const before = okInvokes.filter((o) => completion.get(o.index)!.time < inv.time).slice(-6);
  const runStart = new Date('2025-06-01T10:00:00.000Z');
  const results = {
    valid: false,
    checks: {
      linearizability: {
        valid: false,
        checker: 'linearizability',
        model: 'cas-register',
        readNil: 'absent',
        ops: target,
        violations: [
          {
            key: null,
            op: summary(inv, bad),
            prefixes: [
              {
                length: 1200,
                opIndices: [],
                state: String((bad.value as number) + 1),
                lastOps: before.map((o) => summary(o, completion.get(o.index))),
                blockedOp: 0,
              },
            ],
            concurrent: concurrent.map((o) => summary(o, completion.get(o.index))),
            message: `read of ${JSON.stringify(bad.value)} by process ${String(bad.process)} cannot be linearized: no write of that value could have taken effect in its interval`,
          },
        ],
        timeMs: 812,
      },
      // the real checkers, on the simulated history
      'stuck-state': checkStuck(ops, { gapThresholdNs: 'auto' }),
      perf: checkPerf(ops),
      election: {
        valid: true,
        violations: [],
        leadersByTerm: [
          { term: 2, leader: 'n3' },
          { term: 3, leader: 'n4' },
        ],
        notes: [],
      },
    },
    run: {
      test: 'etcd-register',
      startedAt: runStart.toISOString(),
      seed,
      command: `faultline run clusters/etcd.json --seed ${seed} --ops ${target}`,
      cluster: 'etcd-5 (etcd 3.4.23)',
      workload: 'cas-register',
      concurrency: conc,
    },
  };
  const schedule = {
    seed,
    workload: 'cas-register',
    concurrency: conc,
    opsPerProcess: Math.ceil(target / conc),
    rate: 'unlimited',
    faults: faults.map((f) => ({
      at: Math.round(f.t0 / MS),
      for: Math.round((f.t1 - f.t0) / MS),
      fault: { kind: f.kind, targets: { nodes: f.targets }, params: f.params },
    })),
  };
  // shaped like src/nemesis/journal.ts's JournalEntry
  const at = (ns: number): string => new Date(runStart.getTime() + ns / MS).toISOString();
  const journal = faults.flatMap((f) => [
    {
      event: 'apply',
      id: f.id,
      at: at(f.t0),
      fault: { kind: f.kind, targets: { nodes: f.targets }, params: f.params },
      targets: f.targets,
      undo: {},
      pid: 1234,
    },
    {
      event: 'applied',
      id: f.id,
      at: at(f.t0 + 35 * MS),
      verification:
        f.kind === 'latency' ? { ok: 'unverifiable', observed: {} } : { ok: true, observed: {} },
    },
    { event: 'heal', id: f.id, at: at(f.t1) },
    { event: 'healed', id: f.id, at: at(f.t1 + 20 * MS) },
  ]);
  await mkdir(dir, { recursive: true });
  await writeFile(inRun(dir, 'history'), ops.map((o) => serializeOp(o) + '\n').join(''));
  await writeFile(inRun(dir, 'results'), JSON.stringify(results, null, 2));
  await writeFile(inRun(dir, 'schedule'), JSON.stringify(schedule, null, 2));
  await writeFile(inRun(dir, 'journal'), journal.map((j) => JSON.stringify(j) + '\n').join(''));
  return { dir, ops: target, violationIndex: inv.index };
}
