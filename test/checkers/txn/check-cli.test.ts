/**
 * `faultline check --model list-append`: JSON fields, exit codes per asked model (0 holds,
 * 1 ruled out, 2 bounded), and bad input as one line naming file:line, op and field (exit 65).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), `faultline-txn-cli-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const READ_SKEW = `{:type :invoke, :f :txn, :value [[:append 9 1] [:append 8 1]], :process 0, :time 1}
{:type :invoke, :f :txn, :value [[:r 9 nil] [:r 8 nil]], :process 1, :time 2}
{:type :ok, :f :txn, :value [[:append 9 1] [:append 8 1]], :process 0, :time 3}
{:type :ok, :f :txn, :value [[:r 9 []] [:r 8 [1]]], :process 1, :time 4}
{:type :invoke, :f :txn, :value [[:r 9 nil]], :process 0, :time 5}
{:type :ok, :f :txn, :value [[:r 9 [1]]], :process 0, :time 6}
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('faultline check --model list-append', () => {
  const h = file('skew.edn', READ_SKEW);

  it('JSON: valid, anomalyTypes, not, anomalies with step-by-step explanations; exit per model', () => {
    const rc = runCli([
      'check',
      h,
      '--model',
      'list-append',
      '--consistency-model',
      'read-committed',
      '--json',
    ]);
    expect(rc.status).toBe(0);
    const r = JSON.parse(rc.stdout);
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.not).toEqual(['consistent-view', 'repeatable-read']);
    expect(r.anomalies['G-single'][0].steps).toHaveLength(2);
    const si = runCli([
      'check',
      h,
      '--model',
      'list-append',
      '--consistency-model',
      'snapshot-isolation',
    ]);
    expect(si.status).toBe(1);
    expect(si.stdout).toMatch(/INVALID for snapshot-isolation/);
    expect(si.stdout).toMatch(/1\. T3 read key 9 as empty, without 1/);
    const bounded = runCli([
      'check',
      h,
      '--model',
      'list-append',
      '--consistency-model',
      'snapshot-isolation',
      '--time-limit',
      '0',
    ]);
    expect(bounded.status).toBe(2);
  });

  it('an unknown consistency model is a usage error', () => {
    const r = runCli(['check', h, '--model', 'list-append', '--consistency-model', 'nope']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/unknown consistency model 'nope'/);
  });

  const cases: Array<[string, string, RegExp]> = [
    [
      'malformed micro-op',
      '[[:r 9]]',
      /bad\.edn:4: op 3: field 'value\[0\]': a micro-op is \[f, key, value\]/,
    ],
    [
      'unknown micro-op f',
      '[[:incr 9 1] [:r 8 [1]]]',
      /bad\.edn:4: op 3: field 'value\[0\]\[0\]': unknown micro-op function "incr"/,
    ],
    [
      'read of a non-list',
      '[[:r 9 []] [:r 8 3]]',
      /bad\.edn:4: op 3: field 'value\[1\]\[2\]': a list-append read of key 8 must be a list, got 3/,
    ],
  ];
  for (const [what, value, message] of cases) {
    it(`bad input, ${what}: one line naming file:line, op and field, exit 65`, () => {
      const bad = file('bad.edn', READ_SKEW.replace('[[:r 9 []] [:r 8 [1]]]', value));
      const r = runCli(['check', bad, '--model', 'list-append']);
      expect(r.status).toBe(65);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
