/**
 * A history with no operation is bad input, never a verdict: `check` and `history validate`
 * exit 65 with "no operations found in FILE", and an importer that skipped every line says how
 * many and why (issue 12.1).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), `faultline-noops-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('a history with no operation', () => {
  // Random bytes with no newline-free 'jepsen.util' in them: every line is noise to the importer.
  const noise = Buffer.from(
    randomBytes(4096).map((b) => (b === 0x6a ? 0x20 : b)), // no 'j': cannot spell jepsen.util
  );
  const cases: [string, string, string[]][] = [
    ['empty.jsonl', '', []],
    ['blank.edn', '\n\n  \n', []],
    ['random.bin', '', ['--format', 'porcupine-etcd', '--model', 'cas-register']],
  ];

  for (const [name, content, flags] of cases) {
    it(`check ${name} ${flags.join(' ')}: exit 65, no operations found`, () => {
      const path = file(name, name === 'random.bin' ? noise : content);
      const r = runCli(['check', path, ...flags]);
      expect(r.stdout).not.toMatch(/LINEARIZABLE/);
      expect(r.stderr.trim()).toMatch(
        new RegExp(`^faultline: no operations found in ${path.replace(/[.]/g, '\\.')}`),
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.status).toBe(65);
    });
  }

  it('check --checkers all on an empty file: exit 65 as well', () => {
    const r = runCli(['check', file('empty2.jsonl', ''), '--checkers', 'all']);
    expect(r.stderr).toMatch(/no operations found in/);
    expect(r.status).toBe(65);
  });

  it('the Porcupine importer says how many lines it skipped and why', () => {
    const path = file('noise.log', 'INFO  some.other.logger - started\nnot a log line\n\nWARN x\n');
    const r = runCli(['check', path, '--format', 'porcupine-etcd']);
    expect(r.stderr.trim()).toBe(
      `faultline: no operations found in ${path} (3 lines skipped as porcupine-etcd: not a \`jepsen.util - <process> :<type> :<f> <value>\` op line)`,
    );
    expect(r.status).toBe(65);
  });

  it('history validate: exit 65 instead of "well formed"', () => {
    const path = file('empty3.jsonl', '');
    const r = runCli(['history', 'validate', path]);
    expect(r.stdout).not.toMatch(/well formed/);
    expect(r.stderr.trim()).toBe(`faultline: no operations found in ${path}`);
    expect(r.status).toBe(65);
  });

  it('a history with one op still validates', () => {
    const path = file(
      'one.jsonl',
      '{"index":0,"time":0,"type":"invoke","process":0,"f":"read"}\n{"index":1,"time":1,"type":"ok","process":0,"f":"read","value":null}\n',
    );
    const r = runCli(['history', 'validate', path]);
    expect(r.stdout).toMatch(/2 ops, well formed/);
    expect(r.status).toBe(0);
  });
});
