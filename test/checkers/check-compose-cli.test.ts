/**
 * `faultline check --checkers ...`: every checker over one history, composed into one verdict
 * (false beats unknown beats true), with the exit code of the composed verdict; the default
 * (linearizability only) is unchanged. Inputs are real: a PostgreSQL voting run at READ
 * COMMITTED (double votes; its final-read observations), real etcd raft logs, and a real etcd
 * run with stale serializable reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/repo.js';

const VOTE = join(REPO, 'test/checkers/fixtures/pg-vote-read-committed');
const ZAP = join(REPO, 'test/fixtures/etcd-raft/zap');
const ETCD_RUN = join(REPO, 'test/fixtures/runs/etcd-3-register-serializable/20261121T160121');
const LOGS = ['e1', 'e2', 'e3'].flatMap((n) => ['--log', `${n}=${join(ZAP, `${n}.log`)}`]);
const dir = mkdtempSync(join(tmpdir(), `faultline-check-compose-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function faultline(...args: string[]) {
  const r = runCli(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Composed {
  valid: boolean | 'unknown';
  checks: Record<string, { valid: boolean | 'unknown'; violations?: Array<{ message: string }> }>;
}
const json = (stdout: string) => JSON.parse(stdout) as Composed;
const history = join(VOTE, 'history.jsonl');
const observations = ['--observations', join(VOTE, 'observations.json')];

describe('faultline check --checkers (composed verdict)', () => {
  it('all true -> valid, exit 0', () => {
    const r = faultline(
      'check',
      history,
      '--checkers',
      'stuck,perf,convergence',
      '--stall',
      '1',
      ...observations,
      '--json',
    );
    expect(r.stderr).toBe('');
    const c = json(r.stdout);
    expect(Object.fromEntries(Object.entries(c.checks).map(([k, v]) => [k, v.valid]))).toEqual({
      stuck: true,
      perf: true,
      convergence: true,
    });
    expect(c.valid).toBe(true);
    expect(r.code).toBe(0);
  });

  it('unknown beats true: convergence without observations -> unknown, exit 2', () => {
    const r = faultline('check', history, '--checkers', 'stuck,perf,convergence', '--stall', '1');
    expect(r.stdout).toMatch(/convergence: unknown \(no replica observations/);
    expect(r.stdout).toMatch(/overall: unknown \(stuck, perf, convergence\)/);
    expect(r.code).toBe(2);
  });

  it('false beats unknown: the double votes of the stored votes -> invalid, exit 1', () => {
    const r = faultline('check', history, '--checkers', 'election,convergence,perf', '--json');
    const c = json(r.stdout);
    expect(c.checks.convergence!.valid).toBe('unknown');
    expect(c.checks.election!.valid).toBe(false);
    expect(c.checks.election!.violations![0]!.message).toMatch(
      /^v\d voted for c\d and c\d in round \d+$/,
    );
    expect(c.valid).toBe(false);
    expect(r.code).toBe(1);
    const text = faultline('check', history, '--checkers', 'election,convergence,perf');
    expect(text.stdout).toMatch(/election: INVALID\n {2}- v\d voted for/);
    expect(text.stdout).toMatch(/overall: INVALID/);
  });

  it('linearizability composes with election from node logs, stuck and perf', () => {
    const hist = join(ETCD_RUN, 'history.jsonl');
    const r = faultline(
      'check',
      hist,
      '--checkers',
      'linearizability,election,stuck,perf',
      ...LOGS,
      '--out',
      dir,
      '--json',
    );
    const c = json(r.stdout);
    expect(Object.keys(c.checks)).toEqual(['linearizability', 'election', 'stuck', 'perf']);
    expect(c.checks.linearizability!.valid).toBe(false); // stale serializable reads
    expect(c.checks.election!.valid).toBe(true); // the real raft logs hold no violation
    expect(c.valid).toBe(false);
    expect(r.code).toBe(1);
    expect(json(readFileSync(join(dir, 'result.json'), 'utf8')).valid).toBe(false);
    expect(readFileSync(join(dir, 'violation.html'), 'utf8')).toContain('<svg');
    // `all` picks what the inputs allow: no observations, so no convergence.
    const all = json(faultline('check', hist, '--checkers', 'all', ...LOGS, '--json').stdout);
    expect(Object.keys(all.checks)).toEqual(['linearizability', 'election', 'stuck', 'perf']);
  });

  it('keeps the default: linearizability only, same output and exit code', () => {
    const hist = join(ETCD_RUN, 'history.jsonl');
    const plain = faultline('check', hist);
    const named = faultline('check', hist, '--checkers', 'linearizability');
    expect(plain.stdout).toMatch(/NOT LINEARIZABLE \(model cas-register/);
    const noTime = (s: string) => s.replace(/\d+(\.\d+)? ms\)/, 'N ms)');
    expect(noTime(named.stdout)).toBe(noTime(plain.stdout));
    expect(plain.code).toBe(1);
    expect(named.code).toBe(1);
  });

  it('an unknown checker is a usage error (64)', () => {
    const r = faultline('check', history, '--checkers', 'stuck,nope');
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown checker 'nope'/);
  });
});
