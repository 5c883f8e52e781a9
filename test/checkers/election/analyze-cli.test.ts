/** `faultline analyze`: exit codes and what a user sees, through the real CLI entry point. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/etcd-raft/zap');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `faultline-analyze-${process.pid}-`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('faultline analyze', () => {
  it('exits 0 on the real etcd logs and 1 on a double vote, naming file:line', async () => {
    const ok = await cli(
      'analyze',
      ...['e1', 'e2', 'e3'].flatMap((n) => ['--log', `${n}=${join(FIXTURES, `${n}.log`)}`]),
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^election: valid\n {2}leaders by term: 2:e1 3:e3;/);
    const zap = (msg: string) =>
      JSON.stringify({ level: 'info', ts: '2026-11-21T15:35:48.861Z', msg });
    const log = join(dir, 'n1.log');
    await writeFile(
      log,
      [
        zap(
          'aaaa [logterm: 1, index: 3, vote: 0] cast MsgVote for bbbb [logterm: 1, index: 3] at term 4',
        ),
        zap(
          'aaaa [logterm: 1, index: 3, vote: bbbb] cast MsgVote for cccc [logterm: 1, index: 3] at term 4',
        ),
      ].join('\n'),
    );
    const bad = await cli('analyze', '--log', `n1=${log}`);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('n1 voted for bbbb and cccc in term 4');
    expect(bad.stdout).toContain(`${log}:2`);
  });

  it('usage errors exit 64, unreadable logs 65, each with one line', async () => {
    const usage = await cli('analyze', '--log', 'nonsense');
    expect(usage.code).toBe(64);
    expect(usage.stderr.trim()).toBe("faultline: --log wants node=path, got 'nonsense'");
    const missing = await cli('analyze', '--log', `n1=${join(dir, 'nope.log')}`);
    expect(missing.code).toBe(65);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.log: ENOENT');
  });
});
