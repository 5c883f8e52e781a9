/**
 * The Docker Remote: a node that is a container of a Docker engine (dockerode). Commands are
 * `docker exec`s (argv, stdin, env, user, cwd, timeout); files go in and out as tar archives
 * (putArchive/getArchive); the container itself can be started, stopped, killed, paused,
 * unpaused, inspected and its logs read. A process is either the container's main process
 * (`mainProcess()`: signals and state through the engine) or one `spawn`ed by a detached exec
 * (its output appended to a log file in the container; needs `sh` in the image).
 *
 * Pids in ProcessRefs are pids of this machine (the engine reports exec and container pids in
 * the host's pid namespace), so states and signals of spawned processes need the engine on this
 * machine, as does a timeout's kill; the container's main process works over any engine. The
 * container's network namespace is reachable from the host through its pid (`netnsArgv`), which
 * is how iptables rules and the link proxy are applied to a container without tools in it.
 */
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { waitFor } from '../wait.js';
import { readProcStat, signal as signalPid } from './proc.js';
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

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** What to tell a user whose engine does not answer. */
export const ENGINE_HINT = 'start one with scripts/lab.sh up docker, or set docker.socket';

export interface DockerOptions {
  node: string;
  /** Container name or id. */
  container: string;
  /** The engine's unix socket. */
  socketPath?: string;
  /** Bounds reaching the engine (the ping before the first call). */
  connectTimeoutMs?: number;
  /** An engine client to share between the nodes of a cluster (else one per Remote). */
  docker?: Docker;
}

/** What `inspect` tells about the container. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  running: boolean;
  paused: boolean;
  /** Host pid of the main process (0 when not running): enter its network namespace with it. */
  pid: number;
  exitCode: number;
  /** Address per network name. */
  ips: Record<string, string>;
  labels: Record<string, string>;
}

/** The host argv that runs `argv` in the network namespace of the process `pid` (a container's). */
export function netnsArgv(pid: number, argv: readonly string[]): string[] {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a running container's pid: ${pid}`);
  return ['nsenter', '-t', String(pid), '-n', '--', ...argv];
}

/** Engine errors as one line; a missing engine becomes a RemoteUnavailableError with the hint. */
export function engineError(node: string, socket: string, err: unknown, what: string): Error {
  const e = err as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
    return new RemoteUnavailableError(
      node,
      `no Docker engine at unix://${socket} (${e.code})`,
      ENGINE_HINT,
    );
  }
  const msg = (e.json?.message ?? e.message ?? String(err)).replace(/^\(HTTP code \d+\)\s*/, '');
  if (e.statusCode === 404) return new RemoteUnavailableError(node, `${what}: ${msg.trim()}`);
  return new Error(`${node}: ${what}: ${msg.trim().split('\n')[0]}`);
}

/** A Docker client for `socket` that answered a ping within `timeoutMs`; one clear line if not. */
export async function connectEngine(
  socket = DEFAULT_DOCKER_SOCKET,
  timeoutMs = 5_000,
  who = 'docker',
): Promise<Docker> {
  const docker = new Docker({ socketPath: socket });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_r, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RemoteUnavailableError(
                who,
                `no Docker engine answered at unix://${socket} within ${timeoutMs} ms`,
                ENGINE_HINT,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    if (err instanceof RemoteUnavailableError) throw err;
    throw engineError(who, socket, err, `engine at unix://${socket}`);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/** Resolves if `image` is in the engine; else one line saying how to get it (nothing is pulled). */
export async function requireImage(docker: Docker, image: string, socket: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new RemoteUnavailableError(
        'docker',
        `image ${image} is not in the Docker engine at unix://${socket}; Faultline pulls nothing`,
        'build it with scripts/lab.sh up docker, or docker load / docker build it into that engine',
      );
    }
    throw engineError('docker', socket, err, `image ${image}`);
  }
}

export class DockerRemote implements Remote {
  readonly kind = 'docker' as const;
  readonly node: string;
  readonly socketPath: string;
  readonly containerName: string;
  #docker: Promise<Docker> | undefined;
  private readonly connectTimeoutMs: number;

  constructor(opts: DockerOptions) {
    this.node = opts.node;
    this.containerName = opts.container;
    this.socketPath = opts.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    if (opts.docker) this.#docker = Promise.resolve(opts.docker);
  }

  private engine(): Promise<Docker> {
    if (!this.#docker) {
      const p = connectEngine(this.socketPath, this.connectTimeoutMs, this.node);
      this.#docker = p;
      p.catch(() => {
        if (this.#docker === p) this.#docker = undefined;
      });
    }
    return this.#docker;
  }

  private async container(): Promise<Docker.Container> {
    return (await this.engine()).getContainer(this.containerName);
  }

  private fail(err: unknown, what: string): Error {
    if (err instanceof RemoteUnavailableError) return err;
    return engineError(this.node, this.socketPath, err, what);
  }

  // --- the container --------------------------------------------------------------------------

  async inspect(): Promise<ContainerInfo> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await (await this.container()).inspect();
    } catch (err) {
      throw this.fail(err, `container ${this.containerName}`);
    }
    const ips: Record<string, string> = {};
    for (const [net, v] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
      if (v.IPAddress) ips[net] = v.IPAddress;
    }
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      running: info.State.Running,
      paused: info.State.Paused,
      pid: info.State.Pid,
      exitCode: info.State.ExitCode,
      ips,
      labels: info.Config.Labels ?? {},
    };
  }

  private async containerOp(what: string, op: (c: Docker.Container) => Promise<unknown>) {
    try {
      await op(await this.container());
    } catch (err) {
      // 304: already in that state.
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw this.fail(err, `${what} ${this.containerName}`);
    }
  }

  start(): Promise<void> {
    return this.containerOp('start', (c) => c.start());
  }
  /** Stops the container (SIGTERM, then SIGKILL after `graceSeconds`). */
  stop(graceSeconds = 0): Promise<void> {
    return this.containerOp('stop', (c) => c.stop({ t: graceSeconds }));
  }
  kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.containerOp('kill', (c) => c.kill({ signal: sig }));
  }
  pause(): Promise<void> {
    return this.containerOp('pause', (c) => c.pause());
  }
  unpause(): Promise<void> {
    return this.containerOp('unpause', (c) => c.unpause());
  }
  /** The container's stdout and stderr (interleaved), optionally only the last `tail` lines. */
  async logs(opts: { tail?: number } = {}): Promise<string> {
    try {
      const c = await this.container();
      const buf = (await c.logs({
        stdout: true,
        stderr: true,
        follow: false,
        ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      })) as unknown as Buffer;
      return demuxBuffer(buf);
    } catch (err) {
      throw this.fail(err, `logs of ${this.containerName}`);
    }
  }

  /** argv for this machine that runs `argv` in the container's network namespace. */
  async netnsArgv(argv: readonly string[]): Promise<string[]> {
    const info = await this.inspect();
    if (!info.running) throw new Error(`${this.node}: container ${info.name} is not running`);
    return netnsArgv(info.pid, argv);
  }

  // --- commands ------------------------------------------------------------------------------

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error(`${this.node}: empty command`);
    const c = await this.container();
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await c.exec({
        Cmd: [...argv],
        AttachStdin: opts.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.cwd ? { WorkingDir: opts.cwd } : {}),
      });
      stream = (await exec.start({ hijack: true, stdin: opts.stdin !== undefined })) as never;
    } catch (err) {
      throw this.fail(err, `exec in ${this.containerName}`);
    }
    const docker = await this.engine();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough().on('data', (d: Buffer) => out.push(d));
    const stderr = new PassThrough().on('data', (d: Buffer) => err.push(d));
    docker.modem.demuxStream(stream, stdout, stderr);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        void exec.inspect().then(
          (i) => {
            if (i.Pid) signalPid(i.Pid, 'SIGKILL');
          },
          () => undefined,
        );
        // Whatever still holds the stream, the call is over.
        setTimeout(() => (stream as unknown as Readable).destroy(), 2_000).unref();
      }, opts.timeoutMs);
    }
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    await ended;
    clearTimeout(timer);
    // A hijacked connection is not reused: close it, or it keeps this process alive.
    (stream as unknown as Readable).destroy();
    let code: number | null;
    try {
      const info = await waitFor(
        `exec in ${this.containerName} to finish`,
        async () => {
          const i = await exec.inspect();
          return i.Running && !timedOut ? undefined : i;
        },
        { timeoutMs: 5_000, intervalMs: 20 },
      );
      code = info.Running ? null : info.ExitCode;
    } catch {
      code = null;
    }
    return {
      code: timedOut ? null : code,
      signal: timedOut ? 'SIGKILL' : null,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      ...(timedOut ? { timedOut: true } : {}),
    };
  }

  async exec(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(argv, opts);
    if (r.code !== 0) throw new RemoteCommandError(this.node, argv, r);
    return r.stdout;
  }

  /** Starts `argv` in the container by a detached exec (`sh` appends its output to the log). */
  async spawn(argv: readonly string[], opts: SpawnOptions): Promise<ProcessHandle> {
    if (argv.length === 0) throw new Error(`${this.node}: empty command`);
    const c = await this.container();
    let exec: Docker.Exec;
    try {
      exec = await c.exec({
        Cmd: [
          'sh',
          '-c',
          'log=$1; shift; mkdir -p -- "${log%/*}" && exec "$@" < /dev/null >> "$log" 2>&1',
          'sh',
          opts.logFile,
          ...argv,
        ],
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.cwd ? { WorkingDir: opts.cwd } : {}),
      });
      const started = (await exec.start({ Detach: true })) as unknown as Readable | undefined;
      started?.destroy?.();
    } catch (err) {
      throw this.fail(err, `spawn ${opts.label} in ${this.containerName}`);
    }
    const info = await waitFor(
      `${opts.label} to start in ${this.containerName}`,
      async () => {
        const i = await exec.inspect();
        return i.Pid > 0 || !i.Running ? i : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    if (!info.Pid) {
      throw new Error(
        `${this.node}: ${opts.label} exited at once in ${this.containerName} (exit ${info.ExitCode})`,
      );
    }
    const st = readProcStat(info.Pid);
    if (!st) {
      throw new Error(
        `${this.node}: ${opts.label} runs as pid ${info.Pid}, which this machine cannot see: spawning in a container needs the engine on this machine`,
      );
    }
    const { id } = await this.inspect();
    return this.attach({
      node: this.node,
      backend: 'docker',
      pid: info.Pid,
      startTime: st.startTime,
      container: id,
    });
  }

  /** A handle for the container's main process (signals and state through the engine). */
  async mainProcess(): Promise<ProcessHandle> {
    const info = await this.inspect();
    if (!info.running) throw new Error(`${this.node}: container ${info.name} is not running`);
    const st = readProcStat(info.pid);
    return this.attach({
      node: this.node,
      backend: 'docker',
      pid: info.pid,
      ...(st ? { startTime: st.startTime } : {}),
      container: info.id,
    });
  }

  attach(ref: ProcessRef): ProcessHandle {
    return new DockerProcess(this, ref);
  }

  // --- files ---------------------------------------------------------------------------------

  async upload(
    local: string | Buffer,
    remotePath: string,
    opts: { mode?: number } = {},
  ): Promise<void> {
    if (!remotePath.startsWith('/')) throw new Error(`${this.node}: ${remotePath} is not absolute`);
    const data = typeof local === 'string' ? await readFile(local) : local;
    const pack = tar.pack();
    // Entries relative to "/", parents included, so missing directories are created.
    const parts = posix.normalize(remotePath).split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      pack.entry({ name: `${parts.slice(0, i).join('/')}/`, type: 'directory', mode: 0o755 });
    }
    pack.entry({ name: parts.join('/'), mode: opts.mode ?? 0o644 }, data);
    pack.finalize();
    try {
      await (
        await this.container()
      ).putArchive(pack as unknown as NodeJS.ReadableStream, {
        path: '/',
        noOverwriteDirNonDir: true,
      });
    } catch (err) {
      throw this.fail(err, `upload to ${this.containerName}:${remotePath}`);
    }
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await (await this.container()).getArchive({ path: remotePath });
    } catch (err) {
      throw this.fail(err, `download of ${this.containerName}:${remotePath}`);
    }
    await mkdir(dirname(localPath), { recursive: true });
    const extract = tar.extract();
    let found = false;
    extract.on('entry', (header, body, next) => {
      if (!found && header.type === 'file') {
        found = true;
        pipeline(body, createWriteStream(localPath)).then(() => next(), next);
      } else {
        body.on('end', () => next());
        body.resume();
      }
    });
    await pipeline(archive as Readable, extract);
    if (!found) throw new Error(`${this.node}: ${this.containerName}:${remotePath} is not a file`);
  }

  async close(): Promise<void> {
    // dockerode keeps no connection open between requests.
    this.#docker = undefined;
  }

  /** @internal for DockerProcess */
  async mainPid(): Promise<{ pid: number; running: boolean; paused: boolean; exitCode: number }> {
    const i = await this.inspect();
    return { pid: i.pid, running: i.running, paused: i.paused, exitCode: i.exitCode };
  }
}

/** A process in a container: the main process (through the engine) or a spawned one (by pid). */
class DockerProcess implements ProcessHandle {
  /** Seen as the container's main process: its exit status is the container's. */
  private wasMain = false;

  constructor(
    private readonly remote: DockerRemote,
    readonly ref: ProcessRef,
  ) {}

  private async container(): Promise<
    { running: boolean; paused: boolean; exitCode: number; isMain: boolean } | undefined
  > {
    try {
      const m = await this.remote.mainPid();
      const isMain = m.running && m.pid === this.ref.pid;
      if (isMain) this.wasMain = true;
      return { ...m, isMain };
    } catch (err) {
      // The container is gone: so is every process in it.
      if (err instanceof RemoteUnavailableError && /no such container/i.test(err.message))
        return undefined;
      throw err;
    }
  }

  /** What this machine's /proc says (undefined: not visible here, e.g. a remote engine). */
  private local(): ProcessState | undefined {
    const st = readProcStat(this.ref.pid);
    if (!st) return undefined;
    if (st.state === 'Z' || st.state === 'X') return 'exited';
    if (this.ref.startTime !== undefined && st.startTime !== this.ref.startTime) return 'exited';
    return st.state === 'T' ? 'stopped' : 'running';
  }

  async state(): Promise<ProcessState> {
    const c = await this.container();
    if (!c || !c.running) return 'exited';
    const local = this.local();
    if (c.isMain) return c.paused || local === 'stopped' ? 'stopped' : 'running';
    if (local === undefined || local === 'exited') return 'exited';
    return c.paused ? 'stopped' : local;
  }

  async signal(sig: NodeJS.Signals, opts?: { tree?: boolean }): Promise<void> {
    const c = await this.container();
    if (!c || !c.running) return;
    if (c.isMain) {
      await this.remote.kill(sig);
    } else if (this.local() !== 'exited') {
      signalPid(this.ref.pid, sig);
    } else {
      return;
    }
    if (opts?.tree && this.local() !== undefined) {
      for (const p of descendants(this.ref.pid)) signalPid(p, sig);
    }
  }

  async wait(timeoutMs: number): Promise<ExitStatus | undefined> {
    let status: ExitStatus | undefined;
    await waitFor(
      `${this.ref.node} (pid ${this.ref.pid}) to exit`,
      async () => {
        if ((await this.state()) !== 'exited') return false;
        if (this.wasMain) {
          const c = await this.container();
          if (c) status = { code: c.exitCode, signal: null };
        }
        return true;
      },
      { timeoutMs, intervalMs: 50 },
    );
    return status;
  }
}

/** Descendants of `pid` on this machine, by parent pid (a kernel may lack /proc/../children). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Docker's multiplexed stream format (8-byte frame headers) as text. */
function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
