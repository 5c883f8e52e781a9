/** `faultline analyze`: exit codes and what a user sees, through the real CLI entry point. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

const FIXTURES = join(REPO, 'test/fixtures/etcd-raft/zap');

const cli = (...args: string[]) => runCliAsync(args);

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
    expect(ok.status).toBe(0);
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
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('n1 voted for bbbb and cccc in term 4');
    expect(bad.stdout).toContain(`${log}:2`);
  });

  it('usage errors exit 64, unreadable logs 65, each with one line', async () => {
    const usage = await cli('analyze', '--log', 'nonsense');
    expect(usage.status).toBe(64);
    expect(usage.stderr.trim()).toBe("faultline: --log wants node=path, got 'nonsense'");
    const missing = await cli('analyze', '--log', `n1=${join(dir, 'nope.log')}`);
    expect(missing.status).toBe(65);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.log: no such file or directory');
  });
});
