/**
 * Runs the Faultline CLI the way a user does and returns what it did: the built CLI
 * (`node dist/cli.js`, needs `npm run build`), the source entry (`node --import tsx src/cli.ts`,
 * no build), or another TypeScript entry such as a test fixture. One spawner for every test.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { CLI, CLI_SOURCE, REPO } from './repo.js';

/** `dist` (default), `source`, or the path of a `.ts` entry run with tsx. */
export type CliEntry = 'dist' | 'source' | (string & {});

export interface CliOptions {
  entry?: CliEntry;
  env?: NodeJS.ProcessEnv;
  /** Working directory; the repository root by default. */
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The arguments after `node` that run `entry` with `args`. */
export function cliArgv(args: readonly string[], entry: CliEntry = 'dist'): string[] {
  if (entry === 'dist') return [CLI, ...args];
  return ['--import', 'tsx', entry === 'source' ? CLI_SOURCE : entry, ...args];
}

/** Runs to completion (blocking) and returns the exit status and output. */
export function runCli(args: readonly string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, cliArgv(args, opts.entry), {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    input: opts.input,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a long-running command (a server, a daemon); the caller stops it. */
export function spawnCli(
  args: readonly string[],
  opts: Omit<CliOptions, 'timeoutMs' | 'input'> & { stdio?: StdioOptions } = {},
): ChildProcess {
  return spawn(process.execPath, cliArgv(args, opts.entry), {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}

/** Like runCli without blocking the test's event loop (for tests that serve while it runs). */
export function runCliAsync(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, {
      ...opts,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
