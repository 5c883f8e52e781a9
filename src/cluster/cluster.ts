/**
 * A running cluster: a placement (where the nodes live and how they are reached: src/placement),
 * a system driver (how the system under test starts, answers and rejoins: src/system), one
 * member process per node started through the node's Remote, and a state file written before
 * anything is created (state.ts) so that teardown (teardown.ts) works even after a crash.
 * Nothing here knows which backend the nodes are on.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readProcStat } from '../control/proc.js';
import type { ProcessHandle, ProcessRef, Remote } from '../control/remote.js';
import { silentLogger, type Logger } from '../log.js';
import { placementBackend } from '../placement/index.js';
import type { Placement, PlanContext } from '../placement/placement.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import { driverFor } from '../system/index.js';
import { faketimeEnv, faketimeFile, setClockOffset } from '../system/faketime.js';
import type {
  KvHash,
  Member,
  MemberControl,
  MemberStatus,
  RejoinReport,
  SystemDriver,
} from '../system/system.js';
import { waitFor } from '../wait.js';
import { onShutdown } from './cleanup.js';
import { fillTemplate, type ClusterDefinition, type TemplateVar } from '../definition.js';
import {
  readState,
  STATE_VERSION,
  stateDir,
  stateFilePath,
  writeState,
  type ClusterState,
  type NodeState,
} from './state.js';
import { teardownState } from './teardown.js';
import { firstErrorLine } from './log-cause.js';

export interface ClusterOptions {
  /** Where data, logs and faketime files go (data is removed at teardown, logs stay). */
  runDir: string;
  definitionFile?: string;
  stateDir?: string;
  /** The cluster outlives this process (`cluster up`): no owner, no shutdown hook. */
  detached?: boolean;
  logger?: Logger;
}

export interface NodeStatusReport {
  name: string;
  ip: string;
  /** The backend's identifiers of the node (netns name, host, container). */
  where: Record<string, string | number>;
  pid?: number;
  /** `stopped` while paused; absent when not running. */
  procState?: 'running' | 'stopped';
  healthy: boolean;
  leader?: string;
  revision?: number;
  rssBytes: number;
  down?: string;
}

export interface Convergence {
  converged: boolean;
  revision: number;
  hashes: KvHash[];
}

export class Cluster implements MemberControl {
  readonly driver: SystemDriver;
  readonly placement: Placement;
  private unregisterShutdown: (() => void) | undefined;

  private constructor(
    public state: ClusterState,
    readonly stateDirPath: string,
    readonly logger: Logger,
  ) {
    this.driver = driverFor(state.database);
    this.placement = placementBackend(state.placement.backend).open(
      state.placement,
      planContext(state, stateDirPath, logger),
    );
  }

  get definition(): ClusterDefinition {
    return this.state.definition;
  }
  get nodes(): readonly NodeState[] {
    return this.state.nodes;
  }
  /** The members as system drivers see them. */
  get members(): readonly Member[] {
    return this.state.nodes;
  }
  get healthTimeoutMs(): number {
    return this.definition.healthTimeoutMs;
  }
  get runId(): string {
    return this.state.runId;
  }
  get stateFile(): string {
    return stateFilePath(this.state.runId, this.stateDirPath);
  }
  /** The address the nodes see this machine's clients come from. */
  get clientIp(): string {
    return this.state.placement.clientIp;
  }
  get subnet(): string {
    return this.state.placement.subnet;
  }

  node(name: string): NodeState {
    const n = this.state.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`cluster ${this.state.name} has no node "${name}"`);
    return n;
  }

  /** The node's Remote: the only way to touch its processes, files and network rules. */
  remote(name: string): Remote {
    this.node(name);
    return this.placement.remote(name);
  }

  /** The backend's identifiers of a node (netns `{ netns, vethHost }`, ...): for reports. */
  where(name: string): Record<string, string | number> {
    const n = this.state.placement.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`cluster ${this.state.name} has no node "${name}"`);
    return n.where;
  }

  /** The node's directory standing in for `{runDir}` (see the placement's workDir). */
  workDir(name: string): string {
    return this.state.placement.nodes.find((x) => x.name === name)?.workDir ?? this.state.runDir;
  }

  /** Plans the placement, writes the state file, then creates the network and nodes. Undone by `down()`. */
  static async create(def: ClusterDefinition, opts: ClusterOptions): Promise<Cluster> {
    const dir = opts.stateDir ?? stateDir();
    const logger = opts.logger ?? silentLogger;
    const runId = randomBytes(3).toString('hex');
    const runDir = resolve(opts.runDir);
    const backend = placementBackend(def.backend);
    const ctx: PlanContext = {
      runId,
      runDir,
      stateDir: dir,
      stateFile: stateFilePath(runId, dir),
      ...(opts.definitionFile ? { definitionFile: resolve(opts.definitionFile) } : {}),
      logger,
    };
    const placement = await backend.plan(def, ctx);
    const me = readProcStat(process.pid);
    const nodes: NodeState[] = def.nodes.map((spec) => {
      const placed = placement.nodes.find((p) => p.name === spec.name)!;
      const base = {
        runDir: placed.workDir,
        node: spec.name,
        ip: placed.ip,
        clientPort: def.ports.client,
        peerPort: def.ports.peer,
      };
      return {
        name: spec.name,
        ip: placed.ip,
        dataDir: resolve(fillTemplate(def.dirs.data, base)),
        logFile: resolve(fillTemplate(def.dirs.log, base)),
        clientUrl: fillTemplate(def.clientEndpoint, base),
        peerUrl: `http://${placed.ip}:${def.ports.peer}`,
      };
    });
    const state: ClusterState = {
      version: STATE_VERSION,
      runId,
      name: def.name,
      database: def.database,
      ...(opts.definitionFile ? { definitionFile: resolve(opts.definitionFile) } : {}),
      definition: def,
      runDir,
      owner: opts.detached || !me ? null : { pid: process.pid, startTime: me.startTime },
      placement,
      clusterToken: `faultline-${runId}`,
      nodes,
      journals: [],
      auxProcesses: [],
      createdAt: new Date().toISOString(),
    };
    let file: string;
    try {
      file = writeState(state, dir); // before creating anything: a crash from here on is recoverable
    } catch (err) {
      backend.release(placement, ctx);
      throw err;
    }
    const cluster = new Cluster(state, dir, logger);
    if (!opts.detached)
      cluster.unregisterShutdown = onShutdown(`cluster ${runId}`, () => cluster.down());
    try {
      state.placement = await cluster.placement.create();
      cluster.save();
      for (const n of nodes) await cluster.makeDirs(n);
    } catch (err) {
      await cluster.down().catch(() => undefined);
      throw err;
    }
    logger.debug(
      { runId, stateFile: file, backend: def.backend, subnet: placement.subnet },
      'cluster nodes created',
    );
    return cluster;
  }

  /** Creates and starts a cluster, waiting until every member is healthy. */
  static async up(def: ClusterDefinition, opts: ClusterOptions): Promise<Cluster> {
    const cluster = await Cluster.create(def, opts);
    try {
      await cluster.start();
    } catch (err) {
      await cluster.down().catch(() => undefined);
      throw err;
    }
    return cluster;
  }

  /** A cluster described by a state file (another process may have created it). */
  static attach(
    stateOrFile: ClusterState | string,
    opts: { stateDir?: string; logger?: Logger } = {},
  ): Cluster {
    const state = typeof stateOrFile === 'string' ? readState(stateOrFile) : stateOrFile;
    return new Cluster(state, opts.stateDir ?? stateDir(), opts.logger ?? silentLogger);
  }

  /** Re-reads the state file (other processes may register journals). */
  reload(): void {
    this.state = readState(this.stateFile);
  }

  save(): void {
    writeState(this.state, this.stateDirPath);
  }

  private async makeDirs(n: NodeState): Promise<void> {
    if (this.placement.filesAreLocal) {
      mkdirSync(n.dataDir, { recursive: true });
      mkdirSync(dirname(n.logFile), { recursive: true });
    } else {
      await this.remote(n.name).exec(['mkdir', '-p', '--', n.dataDir, dirname(n.logFile)]);
    }
  }

  /** Appends a line to a member's log on its node. */
  private async appendLog(n: NodeState, line: string): Promise<void> {
    if (this.placement.filesAreLocal) appendFileSync(n.logFile, line);
    else
      await this.remote(n.name).exec(['sh', '-c', 'cat >> "$1"', 'faultline-log', n.logFile], {
        stdin: line,
      });
  }

  /** Starts every member as a new cluster and waits for health. Returns ms until healthy. */
  async start(): Promise<number> {
    const t0 = performance.now();
    for (const n of this.state.nodes)
      await this.startNode(n.name, { clusterState: 'new', wait: false });
    await this.waitHealthy();
    const ms = performance.now() - t0;
    this.logger.info({ cluster: this.state.name, ms: Math.round(ms) }, 'cluster healthy');
    return ms;
  }

  startMember(
    name: string,
    opts: { clusterState: 'new' | 'existing'; initialCluster?: string },
  ): Promise<void> {
    return this.startNode(name, opts);
  }

  async startNode(
    name: string,
    opts: { clusterState: 'new' | 'existing'; initialCluster?: string; wait?: boolean },
  ): Promise<void> {
    const node = this.node(name);
    if (await this.isRunning(name))
      throw new Error(`${name} is already running (pid ${node.process!.pid})`);
    const def = this.definition;
    const tmpl = def.start ?? this.driver.defaultStart();
    const vars: Partial<Record<TemplateVar, string | number>> = {
      runDir: this.workDir(name),
      node: node.name,
      ip: node.ip,
      clientPort: def.ports.client,
      peerPort: def.ports.peer,
      dataDir: node.dataDir,
      logFile: node.logFile,
      clientUrl: node.clientUrl,
      peerUrl: node.peerUrl,
      ...this.driver.templateVars({
        member: node,
        peers: this.state.nodes,
        clusterState: opts.clusterState,
        clusterToken: this.state.clusterToken,
        ...(opts.initialCluster ? { initialCluster: opts.initialCluster } : {}),
      }),
    };
    const argv = [fillTemplate(tmpl.command, vars), ...tmpl.args.map((a) => fillTemplate(a, vars))];
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(tmpl.env)) env[k] = fillTemplate(v, vars);
    const remote = this.remote(name);
    if (this.driver.clock === 'faketime') {
      const file = faketimeFile(this.workDir(name), name);
      await setClockOffset(remote, file, 0);
      Object.assign(env, faketimeEnv(file));
    }
    await this.makeDirs(node);
    // A JSON marker line, so log parsers see restarts; zap lines are JSON too.
    await this.appendLog(
      node,
      JSON.stringify({
        level: 'info',
        ts: new Date().toISOString(),
        caller: 'faultline',
        msg: 'starting member',
        node: name,
        argv,
      }) + '\n',
    );
    const handle = await remote.spawn(argv, { logFile: node.logFile, label: 'member', env });
    node.process = handle.ref;
    delete node.down;
    this.save();
    this.logger.debug({ node: name, pid: handle.ref.pid }, 'member started');
    if (opts.wait) await this.waitHealthy({ nodes: [name] });
  }

  /** The member's process handle, if one was started (it may have exited since). */
  private handle(name: string): ProcessHandle | undefined {
    const p = this.node(name).process;
    return p ? this.remote(name).attach(p) : undefined;
  }

  async isRunning(name: string): Promise<boolean> {
    const h = this.handle(name);
    return !!h && (await h.state()) !== 'exited';
  }

  /** The recorded member pid (on its node), if a member was started and not killed since. */
  pidOf(name: string): number | undefined {
    return this.node(name).process?.pid;
  }

  /** The member's process identity, if it runs. */
  async processOf(name: string): Promise<ProcessRef | undefined> {
    return (await this.isRunning(name)) ? this.node(name).process : undefined;
  }

  /** Signals a member the driver's way (PostgreSQL: its process tree), else the process alone. */
  async signalMember(handle: ProcessHandle, sig: NodeJS.Signals): Promise<void> {
    if (this.driver.signal) await this.driver.signal(handle, sig);
    else await handle.signal(sig);
  }

  killMember(name: string): Promise<void> {
    return this.killNode(name);
  }

  /** SIGKILL and wait until the process is gone. */
  async killNode(name: string, why: NodeState['down'] = 'killed'): Promise<void> {
    const node = this.node(name);
    const h = this.handle(name);
    if (h && (await h.state()) !== 'exited') {
      await this.signalMember(h, 'SIGKILL');
      await h.wait(10_000);
    }
    delete node.process;
    node.down = why;
    this.save();
  }

  /** Stops a member the way the definition says (signal, grace period), then SIGKILL. */
  async stopNode(name: string): Promise<void> {
    const h = this.handle(name);
    const { signal: sig, graceMs } = this.definition.stop;
    if (h && (await h.state()) !== 'exited' && sig !== 'SIGKILL') {
      await h.signal('SIGCONT'); // a paused member cannot act on SIGTERM
      await h.signal(sig);
      await h.wait(graceMs).catch(() => undefined);
    }
    await this.killNode(name, 'stopped');
  }

  /** SIGSTOP; resolves once the member is seen stopped. */
  async pauseNode(name: string): Promise<ProcessRef> {
    const h = await this.requireHandle(name);
    await this.signalMember(h, 'SIGSTOP');
    await waitFor(
      `${name} (pid ${h.ref.pid}) to stop`,
      async () => (await h.state()) === 'stopped',
      {
        timeoutMs: 5000,
        intervalMs: 10,
      },
    );
    return h.ref;
  }

  async resumeNode(name: string): Promise<void> {
    const h = await this.requireHandle(name);
    await this.signalMember(h, 'SIGCONT');
    await waitFor(
      `${name} (pid ${h.ref.pid}) to continue`,
      async () => (await h.state()) !== 'stopped',
      { timeoutMs: 5000, intervalMs: 10 },
    );
  }

  /** The system's amnesia heal: the driver brings back a member whose data was wiped. */
  rejoin(name: string): Promise<RejoinReport> {
    return this.driver.rejoinAfterDataLoss(this, name);
  }

  async wipeData(name: string): Promise<void> {
    const node = this.node(name);
    if (await this.isRunning(name))
      throw new Error(`refusing to wipe ${name}'s data while it runs`);
    await this.remote(name).exec(['rm', '-rf', '--', node.dataDir]);
    await this.makeDirs(node);
  }

  /** Entries left in a member's data directory (0 after a wipe). */
  async dataEntries(name: string): Promise<number> {
    const r = await this.remote(name).run(['ls', '-A', '--', this.node(name).dataDir]);
    return r.code === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
  }

  private async requireHandle(name: string): Promise<ProcessHandle> {
    const h = this.handle(name);
    if (!h || (await h.state()) === 'exited') throw new Error(`${name} is not running`);
    return h;
  }

  /** Waits until the given members (default all) are healthy; fails fast if one exits. */
  async waitHealthy(opts: { nodes?: string[]; timeoutMs?: number } = {}): Promise<void> {
    const names = opts.nodes ?? this.state.nodes.map((n) => n.name);
    const timeoutMs = opts.timeoutMs ?? this.definition.healthTimeoutMs;
    const pending = new Set(names);
    const firstDown = async (): Promise<string | undefined> => {
      for (const name of pending) if (!(await this.isRunning(name))) return name;
      return undefined;
    };
    // waitFor retries on a throw; a member that exited ends the wait at once instead.
    let exited: string | undefined;
    await waitFor(
      `${[...pending].join(', ')} to be healthy`,
      async () => {
        exited = await firstDown();
        if (exited) return true;
        const results = await Promise.all(
          [...pending].map(
            async (n) => [n, await this.driver.isHealthy(this.node(n), 1000)] as const,
          ),
        );
        for (const [n, ok] of results) if (ok) pending.delete(n);
        return pending.size === 0;
      },
      { timeoutMs, intervalMs: 50 },
    ).then(
      async () => {
        if (exited) throw await this.memberExited(exited);
      },
      async (err: unknown) => {
        if (err instanceof Error && /timed out/.test(err.message)) {
          const down = await firstDown();
          if (down) throw await this.memberExited(down);
        }
        throw err;
      },
    );
  }

  /** A member gone before it was healthy, with the first error line of its latest start. */
  private async memberExited(name: string): Promise<MemberExitedError> {
    let log = '';
    try {
      log = await this.readLog(name);
    } catch {
      // no log: the cause stays unknown
    }
    return new MemberExitedError(
      name,
      firstErrorLine(log) ?? 'it printed nothing',
      this.node(name).logFile,
    );
  }

  /** A member's log as written so far, read on its node. */
  async readLog(name: string): Promise<string> {
    const file = this.node(name).logFile;
    if (this.placement.filesAreLocal) return readFile(file, 'utf8');
    return this.remote(name).exec(['cat', '--', file]);
  }

  /** The last lines of a member's log (for errors: a bad start command, a port in use). */
  async logTail(name: string, lines = 5): Promise<string> {
    try {
      return (await this.readLog(name)).trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** The current leader(s), asked of the members through the driver. */
  async primaries(names?: string[]): Promise<string[]> {
    const nodes = names ? names.map((n) => this.node(n)) : await this.runningNodes();
    return this.driver.primaries(nodes);
  }

  private async runningNodes(): Promise<NodeState[]> {
    const up = await Promise.all(this.state.nodes.map((n) => this.isRunning(n.name)));
    return this.state.nodes.filter((_, i) => up[i]);
  }

  status(name: string): Promise<MemberStatus> {
    return this.driver.status(this.node(name), this.state.nodes);
  }

  /**
   * The nodes as the link-proxy layer (src/nemesis/link) sees them; peer traffic gets proxied.
   * The link layer redirects traffic inside network namespaces: netns placements only, today.
   */
  nodeNets(): { name: string; netns: string; ip: string; ports: number[] }[] {
    return this.state.nodes.map((n) => {
      const netns = this.where(n.name).netns;
      if (typeof netns !== 'string')
        throw new Error(
          `link faults need the node's network namespace; backend ${this.state.placement.backend} has none here`,
        );
      return { name: n.name, netns, ip: n.ip, ports: [this.definition.ports.peer] };
    });
  }

  endpoints(names?: string[]): string[] {
    return (names ?? this.state.nodes.map((n) => n.name)).map((n) => this.node(n).clientUrl);
  }

  /** Sum of the resident memory of the running members (and their process trees), in bytes. */
  async memoryBytes(): Promise<number> {
    const each = await Promise.all(
      this.state.nodes.map(async (n) => (await this.memberRss(n.name)) ?? 0),
    );
    return each.reduce((a, b) => a + b, 0);
  }

  private async memberRss(name: string): Promise<number | undefined> {
    const h = this.handle(name);
    return h?.memoryBytes ? h.memoryBytes({ tree: !!this.driver.signal }) : undefined;
  }

  /**
   * Whether all members hold the same keyspace: wait until each reached the highest revision any
   * member reports, then compare their KV hashes at that revision.
   */
  async convergence(timeoutMs = 10_000): Promise<Convergence> {
    const nodes = this.state.nodes;
    const statuses = await Promise.all(nodes.map((n) => this.driver.status(n, nodes)));
    const revision = Math.max(...statuses.map((s) => s.revision));
    await waitFor(
      `all members to reach revision ${revision}`,
      async () =>
        (await Promise.all(nodes.map((n) => this.driver.status(n, nodes)))).every(
          (s) => s.revision >= revision,
        ),
      { timeoutMs },
    );
    const hashes = await Promise.all(nodes.map((n) => this.driver.kvHash(n, revision)));
    return { converged: new Set(hashes.map((h) => h.hash)).size === 1, revision, hashes };
  }

  /** Replica observations for the convergence checker (the driver's `observe`). */
  observe(opts: { timeoutMs?: number; now?: () => number } = {}): Promise<ReplicaObservation[]> {
    return this.driver.observe(this.state.nodes, opts);
  }

  async statusReport(): Promise<NodeStatusReport[]> {
    return Promise.all(
      this.state.nodes.map(async (n) => {
        const h = this.handle(n.name);
        const st = h ? await h.state() : 'exited';
        const running = st !== 'exited';
        const healthy = running && (await this.driver.isHealthy(n, 1000));
        const status = healthy
          ? await this.driver.status(n, this.state.nodes).catch(() => undefined)
          : undefined;
        return {
          name: n.name,
          ip: n.ip,
          where: this.where(n.name),
          ...(running ? { pid: n.process!.pid, procState: st as 'running' | 'stopped' } : {}),
          healthy,
          ...(status?.leader ? { leader: status.leader } : {}),
          ...(status ? { revision: status.revision } : {}),
          rssBytes: running ? ((await this.memberRss(n.name)) ?? 0) : 0,
          ...(n.down ? { down: n.down } : {}),
        };
      }),
    );
  }

  /**
   * Lets the cluster outlive this process (`cluster up` after it became healthy): no owner, no
   * shutdown hook. Until then a crash or Ctrl-C during start-up is cleaned up like any other.
   */
  detach(): void {
    this.state.owner = null;
    this.save();
    this.unregisterShutdown?.();
    this.unregisterShutdown = undefined;
  }

  /** Records a fault journal in the state file so recovery can heal what a crash left. */
  registerJournal(path: string): void {
    const me = readProcStat(process.pid);
    this.state.journals.push({
      path: resolve(path),
      writer: { pid: process.pid, startTime: me?.startTime ?? 0 },
    });
    this.save();
  }

  /** Records a helper process on a node (e.g. a link proxy) to kill at teardown. */
  registerAuxProcess(ref: ProcessRef, what: string): void {
    this.state.auxProcesses.push({ ...ref, what });
    this.save();
  }

  /** Kills everything, removes the nodes, network and data; collects logs. Idempotent. */
  async down(): Promise<void> {
    this.unregisterShutdown?.();
    this.unregisterShutdown = undefined;
    await teardownState(this.state, this.stateDirPath, this.placement);
  }
}

function planContext(state: ClusterState, dir: string, logger: Logger): PlanContext {
  return {
    runId: state.runId,
    runDir: state.runDir,
    stateDir: dir,
    stateFile: stateFilePath(state.runId, dir),
    ...(state.definitionFile ? { definitionFile: state.definitionFile } : {}),
    logger,
  };
}

export class MemberExitedError extends Error {
  override readonly name = 'MemberExitedError';
  constructor(
    readonly node: string,
    /** The first error line of the member's log (see log-cause.ts). */
    readonly reason: string,
    readonly logFile: string,
  ) {
    super(`member ${node} exited before becoming healthy: ${reason} (log: ${logFile})`);
  }
  /** Shown by the CLI as is (no stack): usually a bad start command or a port in use. */
  get userMessage(): string {
    return this.message;
  }
}
