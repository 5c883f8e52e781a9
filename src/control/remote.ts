/**
 * The Remote: how Faultline runs things on one node, wherever the node lives (a local network
 * namespace, an SSH host, a Docker container). It is the only way code above this layer touches a
 * node's processes, files and network rules, so the same nemesis, system drivers and placement
 * run over every backend (Jepsen's `jepsen.control` Remote protocol is the model).
 *
 * Contract, for every implementation:
 * - Commands are argv arrays, never shell strings: an argument reaches the node literally, even
 *   if it holds `;`, `$()`, quotes or spaces (over SSH each argument is quoted for the remote
 *   shell by the implementation, not by the caller).
 * - `run` resolves with whatever happened (it never rejects on a non-zero exit); `exec` rejects
 *   with a RemoteCommandError naming the node and the command unless the exit code is 0.
 *   Both reject (RemoteUnavailableError) only when the node cannot be reached at all.
 * - `timeoutMs` bounds the whole call; on expiry the command is killed on the node where the
 *   backend allows and the result has `timedOut: true`.
 * - A spawned process outlives the Faultline process that started it; its `ProcessRef` is plain
 *   data, stored in the cluster state file before anything else is done, and `attach(ref)` on a
 *   fresh Remote (after a crash of Faultline) gives a working handle again.
 * - Secrets (keys, passwords) given to an implementation never appear in errors or logs.
 * - Privilege: commands run with the rights the backend was configured for (ssh with `sudo`
 *   in the definition: every command through `sudo -n`); callers never prefix sudo themselves.
 */

export type RemoteKind = 'netns' | 'ssh' | 'docker';

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  /** Extra environment variables (merged over the node's default environment). */
  env?: Record<string, string>;
  /** Kill the command after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  /** Run as this user (sudo -u / docker exec -u / runuser), when the backend allows. */
  user?: string;
  cwd?: string;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export type ProcessState = 'running' | 'stopped' | 'exited';

/**
 * Serializable identity of a long-running process on a node, safe against pid reuse. `startTime`
 * is /proc/<pid>/stat field 22 where the backend can read it; `pidfile` is where an SSH backend
 * wrote the pid on the host; `container` names the container a docker-backed process is.
 */
export interface ProcessRef {
  node: string;
  backend: RemoteKind;
  pid: number;
  startTime?: number;
  pidfile?: string;
  container?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface ProcessHandle {
  readonly ref: ProcessRef;
  /** Sends a signal to the process (or, with `tree`, to its whole process group/tree). */
  signal(sig: NodeJS.Signals, opts?: { tree?: boolean }): Promise<void>;
  state(): Promise<ProcessState>;
  /** Resolves when the process has exited; rejects at the deadline. */
  wait(timeoutMs: number): Promise<ExitStatus | undefined>;
  /** Optional: resident memory of the process (with `tree`, of its whole tree), in bytes; 0 when gone. */
  memoryBytes?(opts?: { tree?: boolean }): Promise<number>;
}

export interface SpawnOptions extends Omit<RunOptions, 'stdin' | 'timeoutMs'> {
  /** File on the node that receives the process's stdout and stderr (appended). */
  logFile: string;
  /** A short label for the process in state files and errors (e.g. "etcd", "link-proxy"). */
  label: string;
}

export interface Remote {
  readonly node: string;
  readonly kind: RemoteKind;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** `run`, rejecting with RemoteCommandError on a non-zero exit; resolves with stdout. */
  exec(argv: readonly string[], opts?: RunOptions): Promise<string>;
  /** Starts a long-running process detached from this Faultline process. */
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<ProcessHandle>;
  /** A handle for a process started earlier, possibly by another Faultline process. */
  attach(ref: ProcessRef): ProcessHandle;
  /** Copies a local file (or bytes) to `remotePath` on the node. */
  upload(local: string | Buffer, remotePath: string, opts?: { mode?: number }): Promise<void>;
  /** Copies `remotePath` on the node to the local file `localPath`. */
  download(remotePath: string, localPath: string): Promise<void>;
  /** Releases connections; processes started with `spawn` keep running. */
  close(): Promise<void>;
}

export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
  constructor(
    readonly node: string,
    readonly argv: readonly string[],
    readonly result: RunResult,
  ) {
    const why = result.timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`;
    const err = result.stderr.trim().split('\n').slice(-3).join(' / ');
    super(`${node}: command failed (${why}): ${argv.join(' ')}${err ? `: ${err}` : ''}`);
  }
}

/** The node cannot be reached at all (SSH refused, container gone, engine down...). */
export class RemoteUnavailableError extends Error {
  override readonly name = 'RemoteUnavailableError';
  constructor(
    readonly node: string,
    reason: string,
    /** What the user can do about it, e.g. "run scripts/lab.sh up docker". */
    readonly hint?: string,
  ) {
    super(`${node}: ${reason}${hint ? ` (${hint})` : ''}`);
  }
}
