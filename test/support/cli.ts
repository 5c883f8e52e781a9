/** Runs the built CLI (`node dist/cli.js ...`) and returns what it did. */
import { spawnSync } from 'node:child_process';
import { CLI, REPO } from './repo.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    input: opts.input,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
