/**
 * The performance half on a real etcd-3 cluster, through the CLI: SLOs as verdicts, compare
 * against a baseline (itself, and a run under injected latency), and open vs closed loop on a
 * paused node (coordinated omission hides the pause from the closed loop only).
 * Run under the cluster lock: flock /tmp/faultline-cluster.lock npx vitest run test/perf
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { latencyQuantile } from '../../src/checkers/perf/histogram.js';
import { latencies, opSamples } from '../../src/checkers/perf/samples.js';
import { generateSchedule } from '../../src/generators/generate.js';
import { openLoopSchedule } from '../../src/generators/open-loop.js';
import { formatSchedule, type Schedule } from '../../src/generators/schedule.js';
import { loadHistory } from '../../src/history/load.js';
import { describeAsRoot } from '../support/env.js';
import { runCli } from '../support/cli.js';

let base: string;
let env: NodeJS.ProcessEnv;
const cli = (args: string[]) => runCli(args, { env, timeoutMs: 240_000 });
const run = (name: string, args: string[]) =>
  cli([
    '-q',
    'run',
    '--cluster',
    'clusters/etcd-3.json',
    '--workload',
    'register',
    '--results',
    join(base, 'results'),
    '--test',
    name,
    ...args,
  ]);
describeAsRoot('performance on real etcd-3', () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), `fl-perf-${process.pid}-`));
    env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  });
  afterAll(() => {
    runCli(['cluster', 'down', '--all'], { env });
    rmSync(base, { recursive: true, force: true });
  });

  const runDirOf = (stdout: string) => /^\s*dir\s+(\S+)/m.exec(stdout)![1]!;

  it('SLOs: an impossible p95 fails the run with the measured value, sane ones pass; compare A A is 0, A vs latency is 1', () => {
    const fail = run('slo-fail', [
      '--time-limit',
      '5',
      '--nemesis',
      'none',
      '--slo',
      'p95 < 0.001ms',
    ]);
    expect(fail.status, fail.stderr).toBe(1);
    expect(fail.stdout).toMatch(/INVALID\s+slo/);
    expect(fail.stdout).toMatch(
      /p95 < 0\.001ms: measured p95 [\d.]+ (ms|µs) overall over \d+ ops \(bound < 1\.0 µs\)/,
    );

    const pass = run('slo-pass', [
      '--time-limit',
      '10',
      '--nemesis',
      'none',
      '--slo',
      'success >= 0.5',
      '--slo',
      'p99 < 10s',
    ]);
    expect(pass.status, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/VALID\s+slo/);
    const a = runDirOf(pass.stdout);
    const results = JSON.parse(readFileSync(join(a, 'results.json'), 'utf8'));
    expect(results.checks.slo.slos).toHaveLength(2);
    expect(results.checks.slo.slos[1]).toMatchObject({
      slo: 'p99 < 10s',
      valid: true,
      bound: 10e9,
    });
    expect(results.checks.slo.slos[1].measured).toBeGreaterThan(0);

    const same = cli(['compare', a, a]);
    expect(same.status, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/no regression beyond 10%/);

    // Seed 6 draws 485 ms of latency; on every node for 7 of the 10 s.
    const slow = run('latency', [
      '--time-limit',
      '10',
      '--nemesis',
      'latency',
      '--fault-targets',
      'n1,n2,n3',
      '--fault-duration',
      '7',
      '--seed',
      '6',
    ]);
    expect([0, 1, 2]).toContain(slow.status);
    const b = runDirOf(slow.stdout);
    const cmp = cli(['compare', a, b]);
    expect(cmp.status, cmp.stdout).toBe(1);
    expect(cmp.stdout).toMatch(/REGRESSED p(50|95|99) overall/);
    writeFileSync(join(base, 'compare.txt'), cmp.stdout);
    console.log(cmp.stdout);

    // run --baseline does the same at the end of a run.
    const withBaseline = run('baseline', [
      '--time-limit',
      '5',
      '--nemesis',
      'none',
      '--baseline',
      b,
    ]);
    expect(withBaseline.stdout).toMatch(/baseline/);
  }, 600_000);

  it('open loop shows a paused node in p99; the closed loop hides it', async () => {
    // One schedule, two loops: 200 ops/s over 10 workers for 10 s, n1 paused from 3 s to 6 s.
    const pause = {
      atMs: 3000,
      durationMs: 3000,
      fault: { kind: 'pause' as const, targets: { nodes: ['n1'] } },
    };
    const gen = generateSchedule(
      { durationMs: 10_000, concurrency: 10, rate: 20, faultKinds: [] },
      5,
    ).schedule;
    const open = openLoopSchedule({ ...gen, faults: [pause] }, 200);
    const { openLoop: _drop, ...closedBase } = open;
    void _drop;
    const closed: Schedule = closedBase;
    const p99 = async (schedule: Schedule, name: string) => {
      const file = join(base, `${name}.json`);
      writeFileSync(file, formatSchedule(schedule));
      const r = run(name, ['--schedule', file, '--op-timeout', '5000']);
      expect([0, 1, 2], r.stderr).toContain(r.status);
      const dir = runDirOf(r.stdout);
      const { ops } = await loadHistory(join(dir, 'history.jsonl'), { format: 'jsonl' });
      const s = opSamples(ops);
      return latencyQuantile(latencies(s.samples), 0.99);
    };
    const closedP99 = await p99(closed, 'closed-loop');
    const openP99 = await p99(open, 'open-loop');
    console.log(
      `p99 closed loop ${(closedP99 / 1e6).toFixed(1)} ms, open loop ${(openP99 / 1e6).toFixed(1)} ms, ratio ${(openP99 / closedP99).toFixed(1)}`,
    );
    expect(openP99).toBeGreaterThan(1e9);
    expect(openP99).toBeGreaterThan(3 * closedP99);
  }, 600_000);
});
