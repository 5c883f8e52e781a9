/**
 * Running short-lived system commands (ip, iptables, probes). Each call spawns without a shell,
 * collects output and fails with a message that names the command, so a broken step is obvious.
 */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
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
  input?: string;
  /** Kill the command after this long (it then resolves with signal SIGKILL). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command and resolves with whatever happened; never rejects on a non-zero exit. */
export function execRaw(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('execRaw: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
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

/** `exec` inside a network namespace. */
export function nsExec(netns: string, argv: string[], opts: ExecOptions = {}): Promise<string> {
  return exec(['ip', 'netns', 'exec', netns, ...argv], opts);
}

/** Resolves when `check` returns a truthy value, polling every `intervalMs`; rejects at the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
