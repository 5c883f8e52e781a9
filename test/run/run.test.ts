/**
 * `faultline run` end to end, through the real CLI binary: a real etcd cluster in namespaces,
 * generated ops and faults, a recorded history, checks, a results directory, a report drawn in
 * headless Chromium, and `faultline replay` agreeing with the stored verdict. Also Ctrl-C: the
 * run heals, tears down and still writes what it recorded.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { historyToEdn } from '../../src/history/exporters/edn.js';
import { serializeOp } from '../../src/history/jsonl.js';
import { loadHistory, parseHistoryText } from '../../src/history/load.js';
import { validateHistory } from '../../src/history/validate.js';
import { probeReport } from '../support/browser-probe.js';
import { describeAsRoot } from '../support/env.js';
import { CLI, REPO } from '../support/repo.js';
import { residue, testBase } from './helpers.js';

interface Results {
  valid: boolean | 'unknown';
  checks: Record<string, { valid: boolean | 'unknown' }>;
  run: {
    seed: number;
    aborted: boolean;
    namespaces: string[];
    execution: { ok: number; faultsApplied: number } | null;
  };
}

describeAsRoot('faultline run on a real etcd cluster', () => {
  let base: string;
  let env: NodeJS.ProcessEnv;
  let cleanup: () => void;
  beforeAll(() => {
    ({ base, env, cleanup } = testBase('run'));
  });
  afterAll(() => cleanup());

  it('runs, checks, reports, and replays to the same verdict', async () => {
    const results = join(base, 'results');
    const run = spawnSync(
      'node',
      [
        CLI,
        '-q',
        'run',
        '--cluster',
        join(REPO, 'clusters/etcd-3.json'),
        '--time-limit',
        '8',
        '--concurrency',
        '6',
        '--nemesis',
        'partition,kill,pause',
        '--fault-count',
        '2',
        '--seed',
        '5',
        '--results',
        results,
      ],
      { env, encoding: 'utf8', timeout: 240_000 },
    );
    expect(run.stderr).not.toMatch(/internal error/);
    const latest = join(results, 'latest');
    expect(existsSync(latest)).toBe(true);
    const dir = join(results, readlinkSync(latest));
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    // The exit code is the verdict's.
    expect(run.status).toBe(res.valid === true ? 0 : res.valid === false ? 1 : 2);
    // etcd with linearizable reads is linearizable: a false alarm here is a checker or client bug.
    expect(res.checks.linearizability!.valid).toBe(true);
    expect(res.run.seed).toBe(5);
    expect(res.run.execution!.ok).toBeGreaterThan(50);
    expect(res.run.execution!.faultsApplied).toBe(2);
    expect(Object.keys(res.checks).sort()).toEqual([
      'convergence',
      'election',
      'linearizability',
      'perf',
      'stuck',
    ]);
    for (const f of [
      'schedule.json',
      'history.jsonl',
      'faults.journal.jsonl',
      'summary.txt',
      'report.html',
      'logs/n1.log',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'summary.txt'), 'utf8')).toContain('linearizability');

    // The history is well-formed and round-trips through JSONL and EDN unchanged.
    const { ops } = await loadHistory(join(dir, 'history.jsonl'));
    expect(validateHistory(ops)).toEqual([]);
    expect(ops.some((o) => o.process === 'nemesis')).toBe(true);
    const jsonl = ops.map(serializeOp).join('\n') + '\n';
    expect(jsonl).toBe(readFileSync(join(dir, 'history.jsonl'), 'utf8'));
    const fromEdn = parseHistoryText(historyToEdn(ops), { format: 'edn', file: 'run.edn' });
    expect(fromEdn.ops).toEqual(ops);

    // Offline replay: the same verdict, deterministically.
    const replay = spawnSync('node', [CLI, 'replay', dir], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(replay.status).toBe(run.status);
    expect(replay.stdout).toContain('(same)');

    // No cluster, namespace or etcd process is left behind.
    expect(res.run.namespaces.length).toBe(3);
    expect(residue(res.run.namespaces, base)).toEqual({ netns: [], processes: [] });

    // The report draws its plots and timeline with data, without network access.
    const probe = await probeReport(join(dir, 'report.html'), {
      screenshot: join(dir, 'report.png'),
    });
    expect(probe.consoleErrors).toEqual([]);
    expect(probe.requests).toEqual([]);
    expect(Object.keys(probe.charts).length).toBeGreaterThanOrEqual(3);
    for (const lengths of Object.values(probe.charts)) expect(lengths[0]).toBeGreaterThan(0);
    expect(probe.timeline.rects).toBeGreaterThan(0);
  }, 300_000);

  it('heals, tears down and writes results when interrupted with SIGINT mid-fault', async () => {
    const results = join(base, 'results-int');
    const child = spawn(
      'node',
      [
        CLI,
        'run',
        '--cluster',
        join(REPO, 'clusters/etcd-3.json'),
        '--time-limit',
        '30',
        '--nemesis',
        'pause',
        '--fault-count',
        '1',
        '--fault-duration',
        '20',
        '--seed',
        '9',
        '--results',
        results,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Wait (with a deadline) until the pause fault is in force, then interrupt.
    const deadline = Date.now() + 120_000;
    while (!/fault applied/.test(stderr)) {
      if (Date.now() > deadline) throw new Error(`no fault applied within 120 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const dir = join(results, readlinkSync(join(results, 'latest')));
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(res.run.aborted).toBe(true);
    const journal = readFileSync(join(dir, 'faults.journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; event?: string });
    expect(journal.length).toBeGreaterThanOrEqual(2);
    const { ops } = await loadHistory(join(dir, 'history.jsonl'));
    expect(validateHistory(ops)).toEqual([]);
    expect(ops.some((o) => o.process === 'nemesis' && o.f === 'stop-pause')).toBe(true);
    expect(res.run.namespaces.length).toBe(3);
    expect(residue(res.run.namespaces, base)).toEqual({ netns: [], processes: [] });
  }, 240_000);

  it('finds the known bug: serializable reads under partitions are stale (not linearizable)', () => {
    // etcd serves serializable reads from the local member, so a member cut off from the
    // majority returns old values. Found in 7 of 10 20-s runs when measured; up to 6 tries keeps
    // a miss below 0.1 %.
    const results = join(base, 'results-stale');
    const verdicts: number[] = [];
    for (let seed = 1; seed <= 6 && !verdicts.includes(1); seed++) {
      const run = spawnSync(
        'node',
        [
          CLI,
          '-q',
          'run',
          '--cluster',
          join(REPO, 'clusters/etcd-5.json'),
          '--time-limit',
          '15',
          '--concurrency',
          '10',
          '--nemesis',
          'partition',
          '--fault-count',
          '2',
          '--fault-duration',
          '3-5',
          '--read-consistency',
          'serializable',
          '--seed',
          String(seed),
          '--results',
          results,
        ],
        { env, encoding: 'utf8', timeout: 240_000 },
      );
      verdicts.push(run.status ?? -1);
    }
    console.log(
      `[measure] serializable runs until a stale read was found: ${verdicts.length} (exit codes ${verdicts.join(',')})`,
    );
    expect(verdicts).toContain(1);
    const dir = join(results, readlinkSync(join(results, 'latest')));
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results & {
      checks: {
        linearizability: { valid: boolean | 'unknown'; violations: { op: { f: string } }[] };
      };
    };
    expect(res.checks.linearizability.valid).toBe(false);
    // The op that cannot be linearized is a read: the anomaly is a stale read.
    expect(res.checks.linearizability.violations.some((v) => v.op.f === 'read')).toBe(true);
  }, 900_000);
});
