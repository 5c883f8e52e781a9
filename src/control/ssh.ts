/**
 * The SSH Remote: a node that is a machine reached over SSH (ssh2). One multiplexed connection
 * per host, opened on first use and reopened after it drops; every command is its own channel.
 *
 * - Auth: a private key file (optionally with a passphrase), an agent, or a password. Secrets are
 *   kept in private fields, never in errors, logs or anything enumerable.
 * - Host keys: verified against a known_hosts file and/or a pinned fingerprint
 *   (./known-hosts.ts); an unknown key is refused unless `acceptNewHostKeys`, a changed one always.
 * - argv is quoted for the remote shell here (./shell-quote.ts), so any argument arrives literal.
 * - `sudo`: commands run as `sudo -n` (a missing sudo right is one clear error, checked once per
 *   connection). Files then go through `sudo` too (stdin into `cat`), otherwise through SFTP.
 * - Timeouts: the command prints its pid first (stripped from stderr); on expiry its whole
 *   process group is SIGKILLed on the host.
 * - Spawned processes run in their own session (setsid) with output appended to the log file;
 *   a pidfile `<workDir>/pids/<node>-<label>-<id>.pid` holds "pid starttime label", so a new
 *   Faultline process finds them (`findProcesses`) and `attach` works from the ProcessRef alone.
 *   Exit codes of detached processes are not known over SSH: `wait` resolves `undefined`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { waitFor } from '../wait.js';
import type { Logger } from '../log.js';
import {
  hostKeyAlgorithms,
  knownKeysFor,
  verifyHostKey,
  type HostKeyVerdict,
} from './known-hosts.js';
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
import { shellCommand } from './shell-quote.js';

export interface SshOptions {
  node: string;
  host: string;
  port?: number;
  user: string;
  /** Private key file (read at connect time). */
  privateKeyFile?: string;
  /** The key's passphrase (a secret: never logged). */
  passphrase?: string;
  /** A password (a secret: never logged). Keys are preferred. */
  password?: string;
  /** An ssh-agent socket, or `true` for $SSH_AUTH_SOCK. */
  agent?: string | boolean;
  knownHostsFile?: string;
  /** Pinned `SHA256:...` fingerprint of the host key. */
  hostKey?: string;
  /** Accept (and append to knownHostsFile) a key for a host it does not list. */
  acceptNewHostKeys?: boolean;
  sudo?: boolean;
  /** Faultline's directory on the host; pidfiles live in `<workDir>/pids`. */
  workDir?: string;
  /** Bounds connecting (TCP + handshake + auth). */
  connectTimeoutMs?: number;
  /** Channels open at once on the connection (servers allow 10 by default). */
  maxChannels?: number;
  logger?: Logger;
}

/** Where a spawned process's pidfile lives on the host. */
export function pidDir(workDir: string): string {
  return `${workDir.replace(/\/+$/, '')}/pids`;
}

const PID_MARK = 'FLPID:';

/** Connections that have closed (a channel failure on one of them is worth one retry). */
const closedClients = new WeakSet<Client>();

// Runs "$@" after printing its pid (for a kill on timeout) and entering $1 (if not empty).
const WRAP = `[ -z "$2" ] || printf '${PID_MARK}%s\\n' "$$" >&2; [ -z "$1" ] || cd -- "$1" || exit 126; shift 2; exec "$@"`;

// tree PID: PID and its descendants (by parent pid: servers such as PostgreSQL put workers in
// sessions of their own, which a process-group kill would miss).
const TREE = `tree() {
  all=$1 frontier=$1
  while [ -n "$frontier" ]; do
    next=
    for f in /proc/[0-9]*/stat; do
      read -r s < "$f" 2>/dev/null || continue
      p=\${s%% *}; r=\${s##*) }; set -- $r
      case " $frontier " in *" $2 "*) next="$next $p";; esac
    done
    all="$all$next"; frontier=\${next# }
  done
  echo $all
}`;

// $1 pid, $2 signal, $3 "tree" or "": signals the process (or its tree).
const SIGNAL = `${TREE}
if [ "$3" = tree ]; then pids=$(tree "$1"); else pids=$1; fi
kill -s "$2" $pids 2>/dev/null || true`;

// $1 pid, $2 "tree" or "": resident bytes of the process (or its tree).
const RSS = `${TREE}
if [ "$2" = tree ]; then pids=$(tree "$1"); else pids=$1; fi
sum=0
for p in $pids; do
  v=$(sed -n 's/^VmRSS:[^0-9]*\\([0-9]*\\).*/\\1/p' "/proc/$p/status" 2>/dev/null)
  sum=$((sum + \${v:-0} * 1024))
done
echo $sum`;

// $1 pid: prints "<state> <starttime>" or "gone".
const STAT = `read -r s < "/proc/$1/stat" 2>/dev/null || { echo gone; exit 0; }; set -- \${s##*) }; echo "$1 \${20}"`;

// $1 pidfile, $2 log, $3 cwd, $4 label, then argv: starts argv detached, writes the pidfile.
const SPAWN = `pidfile=$1 log=$2 cwd=$3 label=$4; shift 4
mkdir -p -- "\${pidfile%/*}" "\${log%/*}" || exit 1
[ -z "$cwd" ] || cd -- "$cwd" || exit 1
rm -f -- "$pidfile" "$pidfile.new"
setsid sh -c 'echo $$ > "$0.new"; exec "$@"' "$pidfile" "$@" < /dev/null >> "$log" 2>&1 &
i=0
while [ ! -s "$pidfile.new" ]; do
  i=$((i + 1)); [ "$i" -le 1000 ] || { echo "did not start within 10 s" >&2; exit 1; }
  sleep 0.01
done
read -r pid < "$pidfile.new"
st=0; if read -r s < "/proc/$pid/stat" 2>/dev/null; then set -- \${s##*) }; st=\${20}; fi
printf '%s %s %s\\n' "$pid" "$st" "$label" > "$pidfile.new" && mv -f -- "$pidfile.new" "$pidfile"
echo "$pid $st"`;

// $1 dir: every pidfile in it, as "<path> <pid> <starttime> <label>" lines.
const LIST = `for f in "$1"/*.pid; do [ -f "$f" ] || continue; read -r l < "$f" && echo "$f $l"; done`;

// $1 path: writes stdin to it.
const WRITE = `mkdir -p -- "\${1%/*}" && cat > "$1"`;

export class SshRemote implements Remote {
  readonly kind = 'ssh' as const;
  readonly node: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly workDir: string;
  private readonly opts: Omit<SshOptions, 'passphrase' | 'password'>;
  readonly #passphrase: string | undefined;
  readonly #password: string | undefined;
  #conn: Promise<Client> | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  #sudoChecked: Promise<void> | undefined;
  #channels = 0;
  #queue: (() => void)[] = [];

  constructor(options: SshOptions) {
    const { passphrase, password, ...rest } = options;
    this.#passphrase = passphrase;
    this.#password = password;
    this.opts = rest;
    this.node = options.node;
    this.host = options.host;
    this.port = options.port ?? 22;
    this.user = options.user;
    this.workDir = options.workDir ?? '/tmp/faultline';
  }

  /** `user@host:port`, for errors. */
  get where(): string {
    return `${this.user}@${this.host}:${this.port}`;
  }

  private unavailable(reason: string, hint?: string): RemoteUnavailableError {
    return new RemoteUnavailableError(this.node, `ssh ${this.where}: ${this.redact(reason)}`, hint);
  }

  /** Removes any secret from a message that came from elsewhere (a library, a server). */
  private redact(text: string): string {
    let out = text;
    for (const s of [this.#passphrase, this.#password]) {
      if (s && s.length >= 4) out = out.split(s).join('[redacted]');
    }
    return out.replace(/-----BEGIN[^]*?-----END[^-]*-----/g, '[redacted key]');
  }

  private connection(): Promise<Client> {
    if (!this.#conn) {
      const p = this.connect();
      this.#conn = p;
      p.catch(() => {
        if (this.#conn === p) this.#conn = undefined;
      });
    }
    return this.#conn;
  }

  private async connect(): Promise<Client> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const cfg: ConnectConfig = {
      host: this.host,
      port: this.port,
      username: this.user,
      readyTimeout: timeoutMs,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    };
    const tried: string[] = [];
    if (this.opts.privateKeyFile) {
      try {
        cfg.privateKey = await readFile(this.opts.privateKeyFile);
      } catch (err) {
        throw this.unavailable(
          `cannot read private key file ${this.opts.privateKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          'check ssh.privateKey',
        );
      }
      if (this.#passphrase !== undefined) cfg.passphrase = this.#passphrase;
      tried.push(`key ${this.opts.privateKeyFile}`);
    }
    if (this.opts.agent) {
      const sock = this.opts.agent === true ? process.env.SSH_AUTH_SOCK : this.opts.agent;
      if (!sock) throw this.unavailable('agent auth asked for, but SSH_AUTH_SOCK is not set');
      cfg.agent = sock;
      tried.push('agent');
    }
    if (this.#password !== undefined) {
      cfg.password = this.#password;
      tried.push('password');
    }
    if (tried.length === 0) throw this.unavailable('no private key, agent or password configured');

    let verdict: HostKeyVerdict | undefined;
    const policy = {
      ...(this.opts.knownHostsFile ? { knownHostsFile: this.opts.knownHostsFile } : {}),
      ...(this.opts.hostKey ? { fingerprint: this.opts.hostKey } : {}),
      acceptNew: this.opts.acceptNewHostKeys ?? false,
    };
    if (this.opts.knownHostsFile && !this.opts.hostKey) {
      let text = '';
      try {
        text = await readFile(this.opts.knownHostsFile, 'utf8');
      } catch {
        // A missing file means every key is unknown: the verifier says so.
      }
      const algs = hostKeyAlgorithms(knownKeysFor(text, this.host, this.port));
      if (algs.length > 0) cfg.algorithms = { serverHostKey: algs as never };
    }
    cfg.hostVerifier = (key: Buffer) => {
      verdict = verifyHostKey(policy, this.host, this.port, key);
      if (verdict.ok && verdict.added) {
        this.opts.logger?.warn(
          { node: this.node, host: this.host, port: this.port },
          'accepted a new SSH host key (acceptNewHostKeys)',
        );
      }
      return verdict.ok;
    };

    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      const fail = (err: RemoteUnavailableError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.destroy();
        reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(
            this.unavailable(
              `no SSH session within ${timeoutMs} ms`,
              'is the host up and the port right? (ssh.connectTimeoutMs bounds this)',
            ),
          ),
        timeoutMs,
      );
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.opts.logger?.debug(
          { node: this.node, host: this.host, port: this.port },
          'ssh connected',
        );
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (!settled) {
          if (verdict && !verdict.ok) return fail(this.unavailable(verdict.message));
          if (err.level === 'client-authentication') {
            return fail(
              this.unavailable(
                `authentication refused (tried ${tried.join(', ')})`,
                'is the public key in the host\u2019s authorized_keys for this user?',
              ),
            );
          }
          if (err.level === 'client-timeout') {
            return fail(
              this.unavailable(
                `no SSH session within ${timeoutMs} ms`,
                'is the host up and the port right?',
              ),
            );
          }
          const code = err.code ? ` (${err.code})` : '';
          return fail(
            this.unavailable(
              `cannot connect: ${err.message}${code}`,
              'is the host up and the port right?',
            ),
          );
        }
        this.opts.logger?.warn(
          { node: this.node, err: this.redact(err.message) },
          'ssh connection error',
        );
      });
      client.once('close', () => {
        closedClients.add(client);
        if (!settled) fail(this.unavailable('connection closed during the handshake'));
        this.dropped(client);
      });
      try {
        client.connect(cfg);
      } catch (err) {
        fail(this.unavailable(`cannot connect: ${(err as Error).message}`));
      }
    });
  }

  /** Forgets a connection that closed, so the next call reconnects. */
  private dropped(client: Client): void {
    void this.#conn?.then(
      (c) => {
        if (c === client) {
          this.#conn = undefined;
          this.#sftp = undefined;
          this.#sudoChecked = undefined;
        }
      },
      () => undefined,
    );
  }

  private async channelSlot(): Promise<() => void> {
    const max = this.opts.maxChannels ?? 8;
    if (this.#channels >= max) await new Promise<void>((r) => this.#queue.push(r));
    this.#channels++;
    return () => {
      this.#channels--;
      this.#queue.shift()?.();
    };
  }

  /** Opens an exec channel, reconnecting once if the connection had dropped. */
  private async openExec(command: string): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection();
      try {
        return await new Promise<ClientChannel>((resolve, reject) =>
          client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))),
        );
      } catch (err) {
        // The channel never opened, so the command did not start: on a connection that has
        // dropped meanwhile, retrying once on a fresh one is safe.
        if (attempt === 0 && closedClients.has(client)) continue;
        throw this.unavailable(`cannot open a channel: ${(err as Error).message}`);
      }
    }
  }

  /** The command line for `argv`: sudo, working directory, environment, pid marker. */
  private commandLine(argv: readonly string[], opts: RunOptions, markPid: boolean): string {
    if (argv.length === 0) throw new Error(`${this.node}: empty command`);
    let cmd = [...argv];
    const env = Object.entries(opts.env ?? {});
    for (const [k] of env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new Error(`${this.node}: bad environment variable name ${JSON.stringify(k)}`);
    }
    if (env.length > 0) cmd = ['env', ...env.map(([k, v]) => `${k}=${v}`), ...cmd];
    if (opts.cwd || markPid)
      cmd = ['sh', '-c', WRAP, 'sh', opts.cwd ?? '', markPid ? '1' : '', ...cmd];
    if (this.opts.sudo) {
      cmd = ['sudo', '-n', ...(opts.user ? ['-u', opts.user] : []), '--', ...cmd];
    } else if (opts.user && opts.user !== this.user) {
      throw new Error(
        `${this.node}: running as ${opts.user} needs ssh.sudo (logged in as ${this.user})`,
      );
    }
    return shellCommand(cmd);
  }

  /** Checks once per connection that `sudo -n` works. */
  private checkSudo(): Promise<void> {
    if (!this.opts.sudo) return Promise.resolve();
    if (!this.#sudoChecked) {
      const p = (async () => {
        const r = await this.rawRun(shellCommand(['sudo', '-n', 'true']), {}, false);
        if (r.code !== 0) {
          const why = r.stderr.trim().split('\n').pop() || `exit ${r.code}`;
          throw this.unavailable(
            `user ${this.user} cannot run sudo without a password (${why})`,
            'grant it NOPASSWD in sudoers on the host, or set ssh.sudo to false',
          );
        }
      })();
      this.#sudoChecked = p;
      p.catch(() => {
        if (this.#sudoChecked === p) this.#sudoChecked = undefined;
      });
    }
    return this.#sudoChecked;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    await this.checkSudo();
    return this.rawRun(
      this.commandLine(argv, opts, opts.timeoutMs !== undefined),
      opts,
      opts.timeoutMs !== undefined,
    );
  }

  private async rawRun(command: string, opts: RunOptions, markPid: boolean): Promise<RunResult> {
    const release = await this.channelSlot();
    try {
      const ch = await this.openExec(command);
      return await new Promise<RunResult>((resolve, reject) => {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let code: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        let done = false;
        let exited = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (!exited && !timedOut) {
            // The connection went away mid-command: what happened on the host is unknown.
            reject(this.unavailable('connection lost while a command ran'));
            return;
          }
          let stderr = Buffer.concat(err).toString('utf8');
          if (markPid && stderr.startsWith(PID_MARK))
            stderr = stderr.slice(stderr.indexOf('\n') + 1);
          resolve({
            code: timedOut ? null : code,
            signal: timedOut ? (signal ?? 'SIGKILL') : signal,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr,
            ...(timedOut ? { timedOut: true } : {}),
          });
        };
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => err.push(d));
        ch.on('exit', (c: number | null, sig?: string) => {
          exited = true;
          code = c ?? null;
          signal = sig ? (sig.startsWith('SIG') ? sig : `SIG${sig}`) : null;
        });
        ch.on('close', finish);
        if (opts.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            timedOut = true;
            const m = new RegExp(`^${PID_MARK}(\\d+)`).exec(Buffer.concat(err).toString('utf8'));
            const kill = m ? this.killGroup(Number(m[1])) : Promise.resolve();
            void kill.finally(() => {
              // The group is gone; a descendant that escaped it may still hold the channel.
              setTimeout(() => {
                ch.close();
                finish();
              }, 2_000).unref();
            });
          }, opts.timeoutMs);
        }
        ch.end(opts.stdin ?? undefined);
      });
    } finally {
      release();
    }
  }

  /** SIGKILLs the process group of `pid` on the host (the command a timed-out run started). */
  private async killGroup(pid: number): Promise<void> {
    const script = `pg=$(sed 's/.*) //' /proc/$1/stat | cut -d' ' -f3) && kill -s KILL -- "-$pg" 2>/dev/null || kill -s KILL "$1" 2>/dev/null || true`;
    try {
      await this.rawRun(
        this.commandLine(['sh', '-c', script, 'sh', String(pid)], {}, false),
        {},
        false,
      );
    } catch {
      // Unreachable now: the channel close below still ends the call.
    }
  }

  async exec(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(argv, opts);
    if (r.code !== 0) throw new RemoteCommandError(this.node, argv, r);
    return r.stdout;
  }

  private script(script: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
    return this.exec(['sh', '-c', script, 'sh', ...args], opts);
  }

  async spawn(argv: readonly string[], opts: SpawnOptions): Promise<ProcessHandle> {
    if (argv.length === 0) throw new Error(`${this.node}: empty command`);
    const label = opts.label.replace(/[^A-Za-z0-9_.-]/g, '_');
    const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const pidfile = `${pidDir(this.workDir)}/${this.node}-${label}-${id}.pid`;
    const env = Object.entries(opts.env ?? {});
    const cmd = env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv] : [...argv];
    const runOpts: RunOptions = opts.user ? { user: opts.user } : {};
    const out = await this.script(
      SPAWN,
      [pidfile, opts.logFile, opts.cwd ?? '', label, ...cmd],
      runOpts,
    );
    const [pid, startTime] = out.trim().split(' ').map(Number);
    if (!pid) throw new Error(`${this.node}: spawning ${opts.label} printed no pid: ${out.trim()}`);
    return this.attach({
      node: this.node,
      backend: 'ssh',
      pid,
      ...(startTime ? { startTime } : {}),
      pidfile,
    });
  }

  attach(ref: ProcessRef): SshProcess {
    return new SshProcess(this, ref);
  }

  /** Every process a Faultline spawned on this host that still has a pidfile (of this node). */
  async findProcesses(): Promise<ProcessRef[]> {
    const out = await this.script(LIST, [pidDir(this.workDir)]);
    const refs: ProcessRef[] = [];
    for (const line of out.split('\n')) {
      const [pidfile, pid, startTime] = line.split(' ');
      if (!pidfile || !pid) continue;
      if (!pidfile.slice(pidfile.lastIndexOf('/') + 1).startsWith(`${this.node}-`)) continue;
      refs.push({
        node: this.node,
        backend: 'ssh',
        pid: Number(pid),
        ...(Number(startTime) ? { startTime: Number(startTime) } : {}),
        pidfile,
      });
    }
    return refs;
  }

  /** @internal for SshProcess: a helper script, through sudo when configured. */
  hostScript(script: string, args: readonly string[]): Promise<string> {
    return this.script(script, args);
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.#sftp) {
      const p = this.connection().then(
        (c) =>
          new Promise<SFTPWrapper>((resolve, reject) =>
            c.sftp((err, s) =>
              err ? reject(this.unavailable(`no SFTP: ${err.message}`)) : resolve(s),
            ),
          ),
      );
      this.#sftp = p;
      p.catch(() => {
        if (this.#sftp === p) this.#sftp = undefined;
      });
    }
    return this.#sftp;
  }

  async upload(
    local: string | Buffer,
    remotePath: string,
    opts: { mode?: number } = {},
  ): Promise<void> {
    const data = typeof local === 'string' ? await readFile(local) : local;
    if (this.opts.sudo) {
      await this.script(WRITE, [remotePath], { stdin: data });
      if (opts.mode !== undefined) await this.exec(['chmod', opts.mode.toString(8), remotePath]);
      return;
    }
    await this.exec(['mkdir', '-p', '--', dirname(remotePath)]);
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(remotePath, data, opts.mode !== undefined ? { mode: opts.mode } : {}, (err) =>
        err
          ? reject(new Error(`${this.node}: upload to ${remotePath} failed: ${err.message}`))
          : resolve(),
      ),
    );
    if (opts.mode !== undefined) {
      await new Promise<void>((resolve, reject) =>
        sftp.chmod(remotePath, opts.mode!, (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    if (this.opts.sudo) {
      await this.checkSudo();
      const release = await this.channelSlot();
      try {
        const ch = await this.openExec(this.commandLine(['cat', '--', remotePath], {}, false));
        await new Promise<void>((resolve, reject) => {
          const file = createWriteStream(localPath);
          const err: Buffer[] = [];
          let code: number | null = null;
          ch.stderr.on('data', (d: Buffer) => err.push(d));
          ch.on('exit', (c: number | null) => (code = c));
          let pending = 2; // the file flushed and the channel closed (with its exit status)
          const settle = () => {
            if (--pending > 0) return;
            if (code === 0) resolve();
            else {
              const why = Buffer.concat(err).toString().trim() || `exit ${code}`;
              reject(new Error(`${this.node}: download of ${remotePath} failed: ${why}`));
            }
          };
          ch.pipe(file);
          file.on('error', reject);
          file.on('finish', settle);
          ch.on('close', settle);
          ch.end();
        });
      } finally {
        release();
      }
      return;
    }
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      sftp.fastGet(remotePath, localPath, (err) =>
        err
          ? reject(new Error(`${this.node}: download of ${remotePath} failed: ${err.message}`))
          : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    const p = this.#conn;
    this.#conn = undefined;
    this.#sftp = undefined;
    this.#sudoChecked = undefined;
    if (!p) return;
    const client = await p.catch(() => undefined);
    if (!client) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        client.destroy();
        resolve();
      }, 2_000);
      client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      client.end();
    });
  }
}

/** A process on an SSH host, by pid + start time (and its pidfile, removed once it exited). */
export class SshProcess implements ProcessHandle {
  constructor(
    private readonly remote: SshRemote,
    readonly ref: ProcessRef,
  ) {}

  private async stat(): Promise<{ state: string; startTime: number } | undefined> {
    const out = (await this.remote.hostScript(STAT, [String(this.ref.pid)])).trim();
    if (out === 'gone') return undefined;
    const [state, start] = out.split(' ');
    const st = { state: state ?? '?', startTime: Number(start) };
    if (this.ref.startTime !== undefined && st.startTime !== this.ref.startTime) return undefined;
    if (st.state === 'Z' || st.state === 'X') return undefined;
    return st;
  }

  async state(): Promise<ProcessState> {
    const st = await this.stat();
    if (!st) {
      await this.forget();
      return 'exited';
    }
    return st.state === 'T' || st.state === 't' ? 'stopped' : 'running';
  }

  async signal(sig: NodeJS.Signals, opts?: { tree?: boolean }): Promise<void> {
    if (!(await this.stat())) return;
    await this.remote.hostScript(SIGNAL, [
      String(this.ref.pid),
      sig.replace(/^SIG/, ''),
      opts?.tree ? 'tree' : '',
    ]);
  }

  async wait(timeoutMs: number): Promise<ExitStatus | undefined> {
    await waitFor(
      `${this.ref.node} (pid ${this.ref.pid}) to exit`,
      async () => (await this.state()) === 'exited',
      {
        timeoutMs,
        intervalMs: 100,
      },
    );
    return undefined;
  }

  /** Resident memory of the process (with `tree`, the sum over its descendants), bytes. */
  async memoryBytes(opts?: { tree?: boolean }): Promise<number> {
    if (!(await this.stat())) return 0;
    const out = await this.remote.hostScript(RSS, [String(this.ref.pid), opts?.tree ? 'tree' : '']);
    return Number(out.trim()) || 0;
  }

  /** Removes the pidfile of a process that has exited. */
  private async forget(): Promise<void> {
    if (!this.ref.pidfile) return;
    try {
      await this.remote.hostScript('rm -f -- "$1"', [this.ref.pidfile]);
    } catch {
      // The host is unreachable: the pidfile stays and names a dead process, which is harmless.
    }
  }
}
