/**
 * Running short-lived commands on THIS machine (ip, etcdctl, probes from the host). Each call
 * spawns without a shell, collects output and fails with a message that names the command, so a
 * broken step is obvious. Commands on a node go through its Remote (remote.ts) instead.
 */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: string[],
    readonly result: ExecResult,
  ) {
    super(
      `command failed (${result.code ?? result.signal}): ${argv.join(' ')}` +
        (result.stderr.trim() ? `: ${result.stderr.trim()}` : ''),
    );
  }
}

export interface ExecOptions {
  input?: string | Buffer;
  /** Kill the command after this long (it then resolves with signal SIGKILL). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command and resolves with whatever happened; never rejects on a non-zero exit. */
export function execRaw(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('execRaw: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command and rejects with a CommandError unless it exits 0. Resolves with stdout. */
export async function exec(argv: string[], opts: ExecOptions = {}): Promise<string> {
  const result = await execRaw(argv, opts);
  if (result.code !== 0) throw new CommandError(argv, result);
  return result.stdout;
}
