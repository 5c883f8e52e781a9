/**
 * PostgreSQL 15 as a cluster node: one primary, no replicas.
 *
 * The node runs as the `postgres` OS user (PostgreSQL refuses root). We switch user with
 * `setpriv`, which execs in place, so whatever wraps the command (`ip netns exec <ns> ...` also
 * execs) keeps ONE pid: the postmaster's. Each backend is a child of the postmaster in its own
 * session (PostgreSQL calls setsid), so neither `kill(pid)` nor `kill(-pgid)` reaches them:
 * pause must signal the whole process tree (`signal` below), or existing connections keep
 * being served. A SIGKILL to the postmaster alone is survivable (backends notice its death and
 * exit), but a restart is refused while an orphaned backend is still attached to shared memory.
 *
 * Self-contained on purpose (start/health/stop); the cluster layer adapts it to its driver
 * interface.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { CommandTemplate, TemplateVar } from '../definition.js';
import { isAlive as pidAlive, processTree, signalTree } from '../control/proc.js';
import type { ProcessHandle } from '../control/remote.js';
import { waitFor } from '../wait.js';
import type {
  KvHash,
  Member,
  MemberControl,
  MemberStatus,
  RejoinReport,
  SystemDriver,
} from './system.js';

const execFileP = promisify(execFile);

export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
export const POSTGRES_DEFAULT_PORT = 5432;
/** Superuser created by initdb; clients connect as it with `trust` auth (namespaces/loopback only). */
export const POSTGRES_SUPERUSER = 'postgres';

export interface PostgresNodeConfig {
  /** Node name, e.g. `n1` (used in messages and `application_name`). */
  name: string;
  /** Address to listen on: the node's namespace address, or 127.0.0.1 for local tests. */
  host: string;
  port?: number;
  /** Data directory (created and initdb'ed on first start). Its parent must be traversable by the OS user. */
  dataDir: string;
  /** Directory holding initdb/postgres. */
  binDir?: string;
  /** OS user the server runs as. */
  osUser?: string;
  /** Extra server settings, passed as `-c name=value`. */
  settings?: Record<string, string | number | boolean>;
}

export class PostgresDriverError extends Error {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message);
    this.name = 'PostgresDriverError';
  }
  get userMessage(): string {
    return `postgres node ${this.node}: ${this.message}`;
  }
}

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks a user up in /etc/passwd (Node has no getpwnam). */
export async function lookupOsUser(name: string): Promise<OsUser> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new PostgresDriverError(
    `OS user '${name}' does not exist (install postgresql-15, which creates it)`,
    name,
  );
}

const portOf = (cfg: PostgresNodeConfig): number => cfg.port ?? POSTGRES_DEFAULT_PORT;

/**
 * Server settings. Unix sockets are off (TCP only, and run-dir paths can exceed the socket path
 * limit); logs go to stderr so the cluster layer captures them as logs/<node>.log.
 */
export function postgresSettings(cfg: PostgresNodeConfig): Record<string, string> {
  const base: Record<string, string> = {
    listen_addresses: cfg.host,
    port: String(portOf(cfg)),
    unix_socket_directories: '',
    logging_collector: 'off',
    log_destination: 'stderr',
    log_line_prefix: '%m [%p] %q%a ',
    max_connections: '200',
    shared_buffers: '32MB',
    // Dynamic shared memory as files in the data directory, not /dev/shm: a SIGKILLed server
    // cannot clean up, and the data directory is removed at teardown; /dev/shm is not.
    dynamic_shared_memory_type: 'mmap',
  };
  for (const [k, v] of Object.entries(cfg.settings ?? {})) base[k] = String(v);
  return base;
}

/**
 * The member's start command: a POSIX sh script that makes the data directory the OS user's,
 * runs initdb on first start (or after amnesia wiped the directory), trusts TCP clients, then
 * `exec`s the postmaster as that user. sh -> setpriv -> postgres all exec, so the started pid IS
 * the postmaster. No `{...}` in the script: the cluster layer's templates reserve braces.
 * Positional args: $1 bin dir, $2 OS user, $3 data dir, then postgres's own arguments.
 *
 * libfaketime (clock faults): the cluster starts members with LD_PRELOAD. The first process
 * that loads it (`ip`, as root, whose pid this script keeps) creates a root-only semaphore and
 * shared memory named after its pid and exports FAKETIME_SHARED; postgres, running as another
 * user, could not open them and would refuse to start. So the script drops both, removes that
 * root-owned pair, and preloads libfaketime only into postgres itself, after the user switch.
 */
export const POSTGRES_START_SCRIPT = [
  'preload="$LD_PRELOAD"', // before `set -u`: may be unset
  'set -eu',
  'unset LD_PRELOAD FAKETIME_SHARED',
  'rm -f "/dev/shm/faketime_shm_$$" "/dev/shm/sem.faketime_sem_$$"',
  'bin="$1"; user="$2"; data="$3"; shift 3',
  'gid="$(id -g "$user")"',
  'mkdir -p "$data"',
  'chown "$user:$gid" "$data"',
  'chmod 700 "$data"',
  'if [ ! -s "$data/PG_VERSION" ]; then',
  '  echo "faultline: initdb $data"',
  // --no-sync: durability against host crashes is irrelevant (we kill processes, not machines).
  '  setpriv --reuid="$user" --regid="$gid" --clear-groups -- "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync',
  // Trust everyone over TCP: servers listen only on loopback or in namespaces we create.
  `  printf '%s\\n' '# written by faultline' 'local all all trust' 'host all all 0.0.0.0/0 trust' 'host all all ::/0 trust' > "$data/pg_hba.conf"`,
  'fi',
  'exec setpriv --reuid="$user" --regid="$gid" --clear-groups -- env LD_PRELOAD="$preload" "$bin/postgres" -D "$data" "$@"',
].join('\n');

/** `-c name=value` pairs for `postgresSettings`. */
export function settingsArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

export interface LaunchSpec {
  command: string;
  args: string[];
}

/** The command that runs the server in the foreground; prefix it with `ip netns exec <ns>` to place it. */
export function postgresLaunch(cfg: PostgresNodeConfig): LaunchSpec {
  return {
    command: '/bin/sh',
    args: [
      '-c',
      POSTGRES_START_SCRIPT,
      'faultline-postgres',
      cfg.binDir ?? POSTGRES_BIN_DIR,
      cfg.osUser ?? POSTGRES_SUPERUSER,
      cfg.dataDir,
      ...settingsArgs(postgresSettings(cfg)),
    ],
  };
}

/** The OS user must be able to reach the data directory: every ancestor needs o+x. */
async function assertTraversable(dir: string, node: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) {
      throw new PostgresDriverError(
        `directory ${d} is not searchable by other users (mode ${(s.mode & 0o777).toString(8)}); ` +
          `the postgres OS user cannot reach its data directory`,
        node,
      );
    }
    if (dirname(d) === d) return;
  }
}

export interface PostgresProcess {
  cfg: PostgresNodeConfig;
  /** Postmaster pid (backends are its children: see `postgresPids`). */
  pid: number;
  child: ChildProcess;
  /** Resolves when the postmaster exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logFile: string;
}

export interface StartOptions {
  /** Server stderr/stdout are appended here. */
  logFile: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
}

/**
 * Spawns the start script (initdb on first start, then the server) in its own session (`detached`), so a
 * Ctrl-C to Faultline's terminal group does not hit it: teardown decides when it dies.
 */
export async function startPostgres(
  cfg: PostgresNodeConfig,
  opts: StartOptions,
): Promise<PostgresProcess> {
  // Fail early with a clear message for what the script would only log.
  await lookupOsUser(cfg.osUser ?? POSTGRES_SUPERUSER);
  await mkdir(dirname(cfg.dataDir), { recursive: true });
  await assertTraversable(dirname(cfg.dataDir), cfg.name);
  // A SIGKILLed postmaster leaves postmaster.pid; postgres copes with a stale one, as long as
  // no old backend is still alive (stopPostgres kills them all).
  const launch = postgresLaunch(cfg);
  const [command, args] = opts.netns
    ? ['ip', ['netns', 'exec', opts.netns, launch.command, ...launch.args]]
    : [launch.command, launch.args];
  await mkdir(dirname(opts.logFile), { recursive: true });
  const log = await open(opts.logFile, 'a');
  let child: ChildProcess;
  let spawned: Promise<number>;
  try {
    child = spawn(command, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    // Listen before any await: 'spawn'/'error' fire on the next tick.
    spawned = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (e) =>
        reject(new PostgresDriverError(`cannot spawn ${command}: ${e.message}`, cfg.name)),
      );
    });
  } finally {
    await log.close(); // the child has its own copy of the descriptor
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = await spawned;
  child.unref();
  return { cfg, pid, child, exited, logFile: opts.logFile };
}

export interface HealthTarget {
  host: string;
  port: number;
}

export type Health = { ok: true; primary: boolean } | { ok: false; error: string };

/** One health probe: connect over TCP, `SELECT pg_is_in_recovery()`, disconnect. Never hangs. */
export async function checkPostgresHealth(target: HealthTarget, timeoutMs = 2000): Promise<Health> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: POSTGRES_SUPERUSER,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'faultline-health',
  });
  client.on('error', () => {}); // a dying server emits async errors; the probe result says it all
  try {
    await client.connect();
    const res = await client.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
    return { ok: true, primary: res.rows[0]?.recovery === false };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    client.connection.stream.destroy();
  }
}

async function logTail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls until the server accepts queries as a primary, it exits, or the deadline passes. */
export async function waitPostgresHealthy(
  proc: PostgresProcess,
  target: HealthTarget,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  let last: Health = { ok: false, error: 'not probed' };
  while (Date.now() < deadline) {
    if (exited) {
      throw new PostgresDriverError(
        `server exited during startup; log tail:\n${await logTail(proc.logFile)}`,
        proc.cfg.name,
      );
    }
    last = await checkPostgresHealth(target, Math.min(2000, Math.max(100, deadline - Date.now())));
    if (last.ok && last.primary) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PostgresDriverError(
    `not healthy after ${timeoutMs} ms (${last.ok ? 'in recovery' : last.error}); log tail:\n${await logTail(proc.logFile)}`,
    proc.cfg.name,
  );
}

/**
 * The postmaster and all its descendants. PostgreSQL puts every backend in its own session
 * (setsid), so `kill(-postmaster)` would NOT reach them; the process tree is walked instead.
 */
export async function postgresPids(proc: Pick<PostgresProcess, 'pid'>): Promise<number[]> {
  return processTree(proc.pid);
}

/** Signals the postmaster and every backend: what pause (SIGSTOP/SIGCONT) and kill must use. */
export async function signalPostgres(
  proc: Pick<PostgresProcess, 'pid'>,
  signal: NodeJS.Signals,
): Promise<void> {
  signalTree(proc.pid, signal);
}

const isAlive = async (pid: number): Promise<boolean> => pidAlive(pid);

export interface StopOptions {
  /** Remove the data directory after the server is gone (fresh cluster next time). */
  removeDataDir?: boolean;
  timeoutMs?: number;
}

/**
 * SIGKILL the postmaster and every backend, wait until all are gone, drop the leftover SysV
 * shared-memory segment, optionally remove the data directory.
 */
export async function stopPostgres(proc: PostgresProcess, opts: StopOptions = {}): Promise<void> {
  const shmid = await sysvShmId(proc.cfg.dataDir);
  const pids = await postgresPids(proc);
  await signalPostgres(proc, 'SIGKILL');
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (const pid of pids) {
    while (await isAlive(pid)) {
      if (Date.now() > deadline) {
        throw new PostgresDriverError(`process ${pid} still alive after SIGKILL`, proc.cfg.name);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  if (shmid !== undefined) {
    // The postmaster's small interlock segment outlives it; nothing is attached any more.
    await execFileP('ipcrm', ['-m', String(shmid)]).catch(() => {});
  }
  if (opts.removeDataDir) await rm(proc.cfg.dataDir, { recursive: true, force: true });
}

/** postmaster.pid line 7 is "<shm key> <shm id>". */
async function sysvShmId(dataDir: string): Promise<number | undefined> {
  try {
    const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
    const id = Number(lines[6]?.trim().split(/\s+/)[1]);
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

// ---- the cluster layer's driver -------------------------------------------------------------

/** Node's client URL (`postgres://postgres@10.77.3.11:5432/postgres`) to host/port. */
export function healthTargetFromUrl(url: string): HealthTarget {
  const u = new URL(url);
  return { host: u.hostname, port: u.port ? Number(u.port) : POSTGRES_DEFAULT_PORT };
}

/** Runs `fn` on a short-lived connection to the node; every wait bounded by `timeoutMs`. */
async function withNode<T>(
  node: Pick<Member, 'clientUrl'>,
  timeoutMs: number,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const u = new URL(node.clientUrl);
  const client = new pg.Client({
    connectionString: node.clientUrl,
    user: u.username ? decodeURIComponent(u.username) : POSTGRES_SUPERUSER,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'faultline-driver',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.connection.stream.destroy();
  }
}

/**
 * Settings in the default start template: like `postgresSettings`, with the cluster's
 * `{ip}`/`{clientPort}` placeholders.
 */
export function defaultPostgresStart(): CommandTemplate {
  const settings = postgresSettings({ name: '', host: '{ip}', port: 0, dataDir: '' });
  settings.port = '{clientPort}';
  return {
    command: '/bin/sh',
    args: [
      '-c',
      POSTGRES_START_SCRIPT,
      'faultline-postgres',
      POSTGRES_BIN_DIR,
      POSTGRES_SUPERUSER,
      '{dataDir}',
      ...settingsArgs(settings),
    ],
    env: {},
  };
}

/**
 * PostgreSQL 15 for the cluster layer: a single primary per definition (one node).
 *
 * Process faults: pause must stop every backend too (`signal`), or open connections keep
 * being served; kill signals the whole tree as well, so no orphaned backend blocks the restart.
 */
export class PostgresDriver implements SystemDriver {
  readonly database = 'postgres' as const;
  /** PostgreSQL is a C program: libfaketime's LD_PRELOAD shifts its clock. */
  readonly clock = 'faketime' as const;

  defaultStart(): CommandTemplate {
    return defaultPostgresStart();
  }

  templateVars(): Partial<Record<TemplateVar, string>> {
    return {};
  }

  logFiles(member: Member): string[] {
    return [member.logFile];
  }

  /** Pause (SIGSTOP), resume (SIGCONT) and kill reach the postmaster and every backend. */
  signal(handle: ProcessHandle, sig: NodeJS.Signals): Promise<void> {
    return handle.signal(sig, { tree: true });
  }

  /**
   * A single primary has no replicas to compare: the vote workload observes through its
   * clients' final reads instead (src/run/workloads.ts). Here: the one member's table hash.
   */
  async observe(
    members: readonly Member[],
    opts: { timeoutMs?: number; now?: () => number } = {},
  ): Promise<ReplicaObservation[]> {
    return Promise.all(
      members.map(async (m) => {
        const base = {
          replica: m.name,
          via: m.clientUrl,
          ...(opts.now ? { time: opts.now() } : {}),
        };
        try {
          const st = await this.status(m, members, opts.timeoutMs ?? 5000);
          const h = await this.kvHash(m, st.revision, opts.timeoutMs ?? 5000);
          return { ...base, revision: st.revision, hash: h.hash };
        } catch (err) {
          return { ...base, error: (err as Error).message };
        }
      }),
    );
  }

  async isHealthy(node: Member, timeoutMs = 1000): Promise<boolean> {
    const h = await checkPostgresHealth(healthTargetFromUrl(node.clientUrl), timeoutMs);
    return h.ok && h.primary;
  }

  /**
   * memberId: the cluster's system identifier; leader: the node itself when it is a primary;
   * term: the WAL timeline; revision: the current WAL position (LSN as a byte count).
   */
  async status(node: Member, _nodes: readonly Member[], timeoutMs = 1000): Promise<MemberStatus> {
    return withNode(node, timeoutMs, async (c) => {
      const { rows } = await c.query<{ id: string; recovery: boolean; lsn: string; tli: number }>(
        `SELECT s.system_identifier::text AS id, pg_is_in_recovery() AS recovery,
                (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END
                  - '0/0'::pg_lsn)::text AS lsn,
                k.timeline_id AS tli
           FROM pg_control_system() s, pg_control_checkpoint() k`,
      );
      const r = rows[0]!;
      return {
        node: node.name,
        memberId: r.id,
        ...(r.recovery ? {} : { leader: node.name }),
        term: r.tli,
        revision: Number(r.lsn),
      };
    });
  }

  async primaries(nodes: readonly Member[]): Promise<string[]> {
    const ok = await Promise.all(nodes.map((n) => this.isHealthy(n, 1000)));
    return nodes.filter((_, i) => ok[i]).map((n) => n.name);
  }

  /**
   * A hash of every user table's rows (sorted text form). PostgreSQL cannot read "as of" a WAL
   * position, so `revision` is only echoed: compare hashes taken after writes have stopped.
   */
  async kvHash(node: Member, revision: number, timeoutMs = 5000): Promise<KvHash> {
    const hash = await withNode(node, timeoutMs, async (c) => {
      const tables = await c.query<{ t: string }>(
        `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
          WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      const h = createHash('sha256');
      for (const { t } of tables.rows) {
        const r = await c.query<{ md5: string }>(
          `SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS md5 FROM ${t} x`,
        );
        h.update(`${t}:${r.rows[0]!.md5}\n`);
      }
      return h.digest('hex');
    });
    return { node: node.name, revision, hash };
  }

  /**
   * Amnesia heal for a single primary: there is no replica to copy from, so the member starts
   * on its empty data directory (the start script runs initdb): a fresh, empty database.
   */
  async rejoinAfterDataLoss(cluster: MemberControl, name: string): Promise<RejoinReport> {
    const node = cluster.members.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    await cluster.startMember(name, { clusterState: 'existing' });
    await waitFor(
      `${name} to come back after data loss`,
      async () => {
        if (!(await cluster.isRunning(name)))
          throw new Error(`${name} exited while re-initialising`);
        return this.isHealthy(node, 1000);
      },
      { timeoutMs: cluster.healthTimeoutMs, intervalMs: 100 },
    );
    return {
      method: 'restart on the empty data directory (initdb)',
      observed: 'primary healthy again with an empty database: everything stored before is gone',
    };
  }
}
