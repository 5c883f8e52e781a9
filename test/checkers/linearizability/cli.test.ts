/**
 * `faultline check` end to end: exit codes, text and JSON output, --out files, and one-line
 * errors for bad usage (64) and bad input (65).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { corpusDir } from '../../support/repo.js';

const CORPUS = corpusDir();
const dir = mkdtempSync(join(tmpdir(), `faultline-check-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function faultline(...args: string[]) {
  const r = runCli(args, { timeoutMs: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('faultline check', () => {
  it('exits 0 for a linearizable history', () => {
    const r = faultline('check', join(CORPUS, 'jepsen/etcd_002.log'));
    expect(r.stdout).toMatch(/LINEARIZABLE \(model cas-register/);
    expect(r.code).toBe(0);
  });

  it('exits 1 and explains a violation; --out writes result.json and violation.html', () => {
    const out = join(dir, 'out');
    const r = faultline('check', join(CORPUS, 'kv/c10-bad.txt'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT LINEARIZABLE/);
    expect(r.stdout).toMatch(/cannot be linearized/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.valid).toBe(false);
    expect(result.model).toBe('kv');
    expect(readFileSync(join(out, 'violation.html'), 'utf8')).toContain('<svg');
  });

  it('--json, --no-split and --model', () => {
    const r = faultline(
      'check',
      join(CORPUS, 'kv/c01-bad.txt'),
      '--model',
      'kv',
      '--no-split',
      '--json',
    );
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.split).toBe(false);
    expect(result.partitions).toHaveLength(1);
  });

  it('exits 2 when the time limit is hit', () => {
    // 20 concurrent writes, then (sequentially) reads of 1 and of 2: impossible, but only
    // after trying which subset of writes came before the first read.
    const lines: string[] = [];
    let i = 0;
    const op = (o: object) => lines.push(JSON.stringify({ index: i, time: i++ * 1000, ...o }));
    for (let p = 0; p < 20; p++) op({ type: 'invoke', process: p, f: 'write', value: p });
    for (let p = 0; p < 20; p++) op({ type: 'ok', process: p, f: 'write', value: p });
    op({ type: 'invoke', process: 20, f: 'read', value: null });
    op({ type: 'ok', process: 20, f: 'read', value: 1 });
    op({ type: 'invoke', process: 20, f: 'read', value: null });
    op({ type: 'ok', process: 20, f: 'read', value: 2 });
    const file = join(dir, 'hard.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = faultline('check', file, '--model', 'register', '--time-limit', '0.2');
    expect(r.stdout).toMatch(/UNKNOWN/);
    expect(r.stdout).toMatch(/time limit/);
    expect(r.code).toBe(2);
  });

  it('exits 64 on a usage error and 65 on bad input, with one line', () => {
    const usage = faultline('check', join(CORPUS, 'kv/c01-ok.txt'), '--model', 'nope');
    expect(usage.code).toBe(64);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(usage.stderr).toMatch(/unknown model 'nope'/);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"index":0,"time":0,"type":"invoke","process":0,"f":"frobnicate","value":1}\n{"index":1,"time":1,"type":"ok","process":0,"f":"frobnicate","value":1}\n',
    );
    const input = faultline('check', bad, '--model', 'register');
    expect(input.code).toBe(65);
    expect(input.stderr.trim().split('\n')).toHaveLength(1);
    expect(input.stderr).toMatch(/frobnicate/);

    const missing = faultline('check', join(dir, 'nope.jsonl'));
    expect(missing.code).toBe(65);
  });
});
