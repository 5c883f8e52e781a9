/**
 * Every subcommand that reads a file the user names: a missing path or a directory gives one
 * line naming the path and what is wrong, and exit 65, never Node's raw `ENOENT: ...` or
 * `EISDIR: illegal operation on a directory, read` (which names no path), nor a stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';
import { REPO } from '../support/repo.js';

const dir = mkdtempSync(join(tmpdir(), `fl-input-files-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'nope.jsonl');
const HISTORY = join(REPO, 'test/fixtures/histories/etcd-3-serializable-partition-one.jsonl');

const MISSING = 'no such file or directory';
const IS_DIR = 'is a directory, not a file';

/** [arguments, the path the message must name, what it must say is wrong] */
const cases: Array<[string[], string, string]> = [
  [['check', dir], dir, IS_DIR],
  [['check', missing], missing, MISSING],
  [['check', HISTORY, '--checkers', 'all', '--observations', missing], missing, MISSING],
  [['history', 'stats', dir], dir, IS_DIR],
  [['history', 'validate', missing], missing, MISSING],
  [['history', 'convert', missing, join(dir, 'out.edn')], missing, MISSING],
  [['analyze', dir], dir, IS_DIR],
  [['analyze', '--log', `n1=${dir}`], dir, IS_DIR],
  [['analyze', HISTORY, '--observations', dir], dir, IS_DIR],
  [['minimize', missing], missing, MISSING],
  [['schedule', 'check', dir], dir, IS_DIR],
  [['cluster', 'up', missing], missing, MISSING],
  [['daemon', '--config', dir], dir, IS_DIR],
  [['run', '--cluster', missing], missing, MISSING],
  [['run', '--cluster', 'clusters/etcd-3.json', '--schedule', dir], dir, IS_DIR],
];

describe('a file argument that cannot be read', () => {
  it.each(cases)(
    'faultline %j names the path and the problem, exit 65',
    async (args, path, why) => {
      const r = await runCliAsync(args, { timeoutMs: 120_000 });
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(path);
      expect(lines[0]).toContain(why);
      expect(lines[0]).not.toMatch(/ENOENT|EISDIR|illegal operation|internal error/);
      expect(r.status).toBe(65);
    },
  );
});
