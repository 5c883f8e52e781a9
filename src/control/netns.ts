/**
 * The netns Remote: a node that is a network namespace on this machine. Commands run through
 * `ip netns exec <ns>` (argv, no shell); long-running processes are spawned detached (their own
 * process group, so a terminal's Ctrl-C reaches only Faultline, which then decides how they
 * die) and identified by pid + start time from /proc, so a recorded ProcessRef never names a
 * reused pid. Files are local files: the namespace shares this machine's filesystem.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { waitFor } from '../wait.js';
import { execRaw } from './local.js';
import { isAlive, processTree, readProcStat, rssBytes, signal, signalTree } from './proc.js';
import {
  RemoteCommandError,
  RemoteUnavailableError,
  type ExitStatus,
  type ProcessHandle,
  type ProcessRef,
  type ProcessState,
  type Remote,
  type RunOptions,
  type RunResult,
  type SpawnOptions,
} from './remote.js';

export class NetnsRemote implements Remote {
  readonly kind = 'netns' as const;
  /** Children spawned by this process: kept referenced so their exit status is known. */
  private readonly children = new Map<number, { child: ChildProcess; exit?: ExitStatus }>();

  /** `netns` null: this machine's own network namespace (local tests, tools on the host). */
  constructor(
    readonly node: string,
    readonly netns: string | null,
  ) {}

  /** The argv that runs `argv` inside the namespace (as `user`, when given). */
  private wrap(argv: readonly string[], user?: string): string[] {
    if (argv.length === 0) throw new Error(`${this.node}: empty command`);
    return [
      ...(this.netns ? ['ip', 'netns', 'exec', this.netns] : []),
      ...(user ? ['runuser', '-u', user, '--'] : []),
      ...argv,
    ];
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    try {
      const r = await execRaw(this.wrap(argv, opts.user), {
        ...(opts.stdin !== undefined ? { input: opts.stdin } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        env: { ...process.env, ...opts.env },
      });
      return {
        code: r.code,
        signal: r.signal,
        stdout: r.stdout,
        stderr: r.stderr,
        ...(r.timedOut ? { timedOut: true } : {}),
      };
    } catch (err) {
      throw new RemoteUnavailableError(
        this.node,
        `cannot run ip netns exec: ${(err as Error).message}`,
      );
    }
  }

  async exec(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(argv, opts);
    if (r.code !== 0) throw new RemoteCommandError(this.node, argv, r);
    return r.stdout;
  }

  async spawn(argv: readonly string[], opts: SpawnOptions): Promise<ProcessHandle> {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    const fd = openSync(opts.logFile, 'a');
    let child: ChildProcess;
    try {
      const [cmd, ...args] = this.wrap(argv, opts.user);
      child = spawn(cmd!, args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...opts.env },
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
      await new Promise<void>((res, rej) => {
        child.once('spawn', res);
        child.once('error', rej);
      });
    } catch (err) {
      throw new RemoteUnavailableError(
        this.node,
        `cannot start ${opts.label}: ${(err as Error).message}`,
      );
    } finally {
      closeSync(fd);
    }
    child.unref();
    const pid = child.pid!;
    const entry: { child: ChildProcess; exit?: ExitStatus } = { child };
    this.children.set(pid, entry);
    child.once('exit', (code, sig) => (entry.exit = { code, signal: sig }));
    // `ip netns exec` execs the command in place: the pid is the member's own.
    const st = readProcStat(pid);
    return this.attach({
      node: this.node,
      backend: 'netns',
      pid,
      startTime: st?.startTime ?? 0,
    });
  }

  attach(ref: ProcessRef): ProcessHandle {
    const { pid, startTime } = ref;
    const alive = () => isAlive(pid, startTime);
    const children = this.children;
    const node = this.node;
    return {
      ref,
      signal: async (sig, opts) => {
        if (!alive()) return;
        if (opts?.tree) signalTree(pid, sig);
        else signal(pid, sig);
      },
      state: async (): Promise<ProcessState> => {
        if (!alive()) return 'exited';
        return readProcStat(pid)?.state === 'T' ? 'stopped' : 'running';
      },
      wait: async (timeoutMs) => {
        await waitFor(`${node} (pid ${pid}) to exit`, () => !alive(), {
          timeoutMs,
          intervalMs: 10,
        });
        return children.get(pid)?.exit;
      },
      memoryBytes: async (opts) =>
        !alive()
          ? 0
          : (opts?.tree ? processTree(pid) : [pid]).reduce((sum, p) => sum + rssBytes(p), 0),
    };
  }

  async upload(
    local: string | Buffer,
    remotePath: string,
    opts: { mode?: number } = {},
  ): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    if (typeof local === 'string') {
      if (resolve(local) !== resolve(remotePath)) await copyFile(local, remotePath);
    } else {
      await writeFile(remotePath, local, opts.mode !== undefined ? { mode: opts.mode } : {});
    }
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    if (resolve(remotePath) === resolve(localPath)) return;
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(remotePath, localPath);
  }

  async close(): Promise<void> {
    this.children.clear();
  }
}
