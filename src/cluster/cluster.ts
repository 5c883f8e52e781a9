/**
 * A running cluster on this machine: namespaces + bridge (network.ts), one member process per
 * namespace started through `ip netns exec`, and a state file written before anything is created
 * (state.ts) so that teardown (teardown.ts) works even after a crash. The database-specific part
 * is the driver (drivers/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { silentLogger, type Logger } from '../log.js';
import { onShutdown } from './cleanup.js';
import { fillTemplate, type ClusterDefinition, type TemplateVar } from './definition.js';
import type { ClusterControl, DatabaseDriver, KvHash, MemberStatus } from './drivers/driver.js';
import { driverFor } from './drivers/index.js';
import { waitFor } from './exec.js';
import { faketimeEnv, faketimeFile, setClockOffset } from './faketime.js';
import { bridgeName, createBridge, createNodeNet, netnsName, vethHostName } from './network.js';
import { isAlive, readProcStat, rssBytes, signal } from './proc.js';
import {
  readState,
  stateDir,
  stateFilePath,
  writeState,
  type ClusterState,
  type NodeState,
} from './state.js';
import { allocateSubnet, lockExplicitSubnet, releaseSubnet, subnetLockName } from './subnet.js';
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
  netns: string;
  pid?: number;
  /** /proc state letter: R/S running, T stopped (paused), absent when not running. */
  procState?: string;
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

export class Cluster implements ClusterControl {
  readonly driver: DatabaseDriver;
  private readonly children = new Map<string, ChildProcess>();
  private unregisterShutdown: (() => void) | undefined;

  private constructor(
    public state: ClusterState,
    readonly stateDirPath: string,
    readonly logger: Logger,
  ) {
    this.driver = driverFor(state.database);
  }

  get definition(): ClusterDefinition {
    return this.state.definition;
  }
  get nodes(): readonly NodeState[] {
    return this.state.nodes;
  }
  get runId(): string {
    return this.state.runId;
  }
  get stateFile(): string {
    return stateFilePath(this.state.runId, this.stateDirPath);
  }

  node(name: string): NodeState {
    const n = this.state.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`cluster ${this.state.name} has no node "${name}"`);
    return n;
  }

  /** Creates the network for a definition (nothing started yet). Undone by `down()`. */
  static async create(def: ClusterDefinition, opts: ClusterOptions): Promise<Cluster> {
    const dir = opts.stateDir ?? stateDir();
    const logger = opts.logger ?? silentLogger;
    const runId = randomBytes(3).toString('hex');
    const runDir = resolve(opts.runDir);
    let prefix: string;
    let subnetLock: string;
    if (def.subnet === 'auto') {
      const n = await allocateSubnet(runId, dir);
      prefix = `10.77.${n}`;
      subnetLock = String(n);
    } else {
      lockExplicitSubnet(def.subnet, runId, dir);
      prefix = def.subnet.split('.').slice(0, 3).join('.');
      subnetLock = subnetLockName(def.subnet);
    }
    const me = readProcStat(process.pid);
    const nodes: NodeState[] = def.nodes.map((spec, i) => {
      const ip = spec.address === 'auto' ? `${prefix}.${11 + i}` : spec.address;
      const base = {
        runDir,
        node: spec.name,
        ip,
        clientPort: def.ports.client,
        peerPort: def.ports.peer,
      };
      const clientUrl = fillTemplate(def.clientEndpoint, base);
      return {
        name: spec.name,
        ip,
        netns: netnsName(runId, spec.name),
        vethHost: vethHostName(runId, i),
        dataDir: resolve(fillTemplate(def.dirs.data, base)),
        logFile: resolve(fillTemplate(def.dirs.log, base)),
        clientUrl,
        peerUrl: `http://${ip}:${def.ports.peer}`,
      };
    });
    const state: ClusterState = {
      version: 1,
      runId,
      name: def.name,
      database: def.database,
      ...(opts.definitionFile ? { definitionFile: resolve(opts.definitionFile) } : {}),
      definition: def,
      runDir,
      owner: opts.detached || !me ? null : { pid: process.pid, startTime: me.startTime },
      bridge: bridgeName(runId),
      subnet: `${prefix}.0/24`,
      subnetLock,
      hostIp: `${prefix}.1`,
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
      releaseSubnet(subnetLock, runId, dir);
      throw err;
    }
    const cluster = new Cluster(state, dir, logger);
    if (!opts.detached)
      cluster.unregisterShutdown = onShutdown(`cluster ${runId}`, () => cluster.down());
    try {
      await createBridge(state.bridge, `${state.hostIp}/24`);
      await Promise.all(
        nodes.map((n) =>
          createNodeNet({
            netns: n.netns,
            vethHost: n.vethHost,
            bridge: state.bridge,
            cidr: `${n.ip}/24`,
          }),
        ),
      );
      for (const n of nodes) {
        mkdirSync(n.dataDir, { recursive: true });
        mkdirSync(dirname(n.logFile), { recursive: true });
      }
    } catch (err) {
      await cluster.down().catch(() => undefined);
      throw err;
    }
    logger.debug({ runId, stateFile: file, subnet: state.subnet }, 'cluster network created');
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

  async startNode(
    name: string,
    opts: { clusterState: 'new' | 'existing'; initialCluster?: string; wait?: boolean },
  ): Promise<void> {
    const node = this.node(name);
    if (this.isRunning(name))
      throw new Error(`${name} is already running (pid ${node.process!.pid})`);
    const def = this.definition;
    const tmpl = def.start ?? this.driver.defaultStart(def);
    const vars: Partial<Record<TemplateVar, string | number>> = {
      runDir: this.state.runDir,
      node: node.name,
      ip: node.ip,
      clientPort: def.ports.client,
      peerPort: def.ports.peer,
      dataDir: node.dataDir,
      logFile: node.logFile,
      clientUrl: node.clientUrl,
      peerUrl: node.peerUrl,
      ...this.driver.templateVars({
        def,
        nodes: this.state.nodes,
        node,
        clusterState: opts.clusterState,
        clusterToken: this.state.clusterToken,
        ...(opts.initialCluster ? { initialCluster: opts.initialCluster } : {}),
      }),
    };
    const argv = [fillTemplate(tmpl.command, vars), ...tmpl.args.map((a) => fillTemplate(a, vars))];
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(tmpl.env)) env[k] = fillTemplate(v, vars);
    if (this.driver.honoursFaketime) {
      const file = faketimeFile(this.state.runDir, name);
      setClockOffset(file, 0);
      Object.assign(env, faketimeEnv(file));
    }
    mkdirSync(node.dataDir, { recursive: true });
    mkdirSync(dirname(node.logFile), { recursive: true });
    // A JSON marker line, so log parsers see restarts; zap lines are JSON too.
    appendFileSync(
      node.logFile,
      JSON.stringify({
        level: 'info',
        ts: new Date().toISOString(),
        caller: 'faultline',
        msg: 'starting member',
        node: name,
        argv,
      }) + '\n',
    );
    const fd = openSync(node.logFile, 'a');
    let child: ChildProcess;
    try {
      // detached: own process group, so a terminal's Ctrl-C reaches only Faultline, which then
      // tears down with SIGKILL instead of etcd's slow SIGTERM path.
      child = spawn('ip', ['netns', 'exec', node.netns, ...argv], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env,
      });
      await new Promise<void>((res, rej) => {
        child.once('spawn', res);
        child.once('error', rej);
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
    const pid = child.pid!;
    const st = readProcStat(pid);
    node.process = { pid, startTime: st?.startTime ?? 0 };
    delete node.down;
    this.children.set(name, child);
    child.once('exit', () => {
      if (this.children.get(name) === child) this.children.delete(name);
    });
    this.save();
    this.logger.debug({ node: name, pid }, 'member started');
    if (opts.wait) await this.waitHealthy({ nodes: [name] });
  }

  isRunning(name: string): boolean {
    const p = this.node(name).process;
    return !!p && isAlive(p.pid, p.startTime);
  }

  pidOf(name: string): number | undefined {
    return this.isRunning(name) ? this.node(name).process!.pid : undefined;
  }

  /** SIGKILL and wait until the process is gone. */
  async killNode(name: string, why: NodeState['down'] = 'killed'): Promise<void> {
    const node = this.node(name);
    const p = node.process;
    if (p && isAlive(p.pid, p.startTime)) {
      await this.signalMember(p.pid, 'SIGKILL');
      await waitFor(`${name} (pid ${p.pid}) to exit`, () => !isAlive(p.pid, p.startTime), {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
    }
    delete node.process;
    node.down = why;
    this.save();
  }

  /** Stops a member the way the definition says (signal, grace period), then SIGKILL. */
  async stopNode(name: string): Promise<void> {
    const p = this.node(name).process;
    const { signal: sig, graceMs } = this.definition.stop;
    if (p && isAlive(p.pid, p.startTime) && sig !== 'SIGKILL') {
      signal(p.pid, 'SIGCONT'); // a paused member cannot act on SIGTERM
      signal(p.pid, sig);
      await waitFor(`${name} to stop`, () => !isAlive(p.pid, p.startTime), {
        timeoutMs: graceMs,
        intervalMs: 20,
      }).catch(() => undefined);
    }
    await this.killNode(name, 'stopped');
  }

  /** Signals a member: its whole process tree when the driver knows how (PostgreSQL), else `pid`. */
  private async signalMember(pid: number, sig: NodeJS.Signals): Promise<void> {
    if (this.driver.signalTree) await this.driver.signalTree(pid, sig);
    else signal(pid, sig);
  }

  async pauseNode(name: string): Promise<number> {
    const pid = this.requirePid(name);
    await this.signalMember(pid, 'SIGSTOP');
    await waitFor(`${name} (pid ${pid}) to stop`, () => readProcStat(pid)?.state === 'T', {
      timeoutMs: 5000,
      intervalMs: 10,
    });
    return pid;
  }

  async resumeNode(name: string): Promise<void> {
    const pid = this.requirePid(name);
    await this.signalMember(pid, 'SIGCONT');
    await waitFor(`${name} (pid ${pid}) to continue`, () => readProcStat(pid)?.state !== 'T', {
      timeoutMs: 5000,
      intervalMs: 10,
    });
  }

  async wipeData(name: string): Promise<void> {
    const node = this.node(name);
    if (this.isRunning(name)) throw new Error(`refusing to wipe ${name}'s data while it runs`);
    await rm(node.dataDir, { recursive: true, force: true });
    mkdirSync(node.dataDir, { recursive: true });
  }

  private requirePid(name: string): number {
    const pid = this.pidOf(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    return pid;
  }

  /** Waits until the given members (default all) are healthy; fails fast if one exits. */
  async waitHealthy(opts: { nodes?: string[]; timeoutMs?: number } = {}): Promise<void> {
    const names = opts.nodes ?? this.state.nodes.map((n) => n.name);
    const timeoutMs = opts.timeoutMs ?? this.definition.healthTimeoutMs;
    const pending = new Set(names);
    // waitFor retries on a throw; a member that exited ends the wait at once instead.
    let exited: string | undefined;
    await waitFor(
      `${[...pending].join(', ')} to be healthy`,
      async () => {
        exited = [...pending].find((name) => !this.isRunning(name));
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
      () => {
        if (exited) throw this.memberExited(exited);
      },
      (err: unknown) => {
        if (err instanceof Error && /timed out/.test(err.message)) {
          const down = [...pending].find((n) => !this.isRunning(n));
          if (down) throw this.memberExited(down);
        }
        throw err;
      },
    );
  }

  /** A member gone before it was healthy, with the first error line of its latest start. */
  private memberExited(name: string): MemberExitedError {
    const file = this.node(name).logFile;
    let log = '';
    try {
      log = readFileSync(file, 'utf8');
    } catch {
      // no log: the cause stays unknown
    }
    return new MemberExitedError(name, firstErrorLine(log) ?? 'it printed nothing', file);
  }

  /** The last lines of a member's log. */
  logTail(name: string, lines = 5): string {
    try {
      return readFileSync(this.node(name).logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }

  /** The current leader(s), asked of the members through the driver. */
  primaries(names?: string[]): Promise<string[]> {
    const nodes = names
      ? names.map((n) => this.node(n))
      : this.state.nodes.filter((n) => this.isRunning(n.name));
    return this.driver.primaries(nodes);
  }

  status(name: string): Promise<MemberStatus> {
    return this.driver.status(this.node(name), this.state.nodes);
  }

  /** The nodes as the link-proxy layer (src/nemesis/link) sees them; peer traffic gets proxied. */
  nodeNets(): { name: string; netns: string; ip: string; ports: number[] }[] {
    return this.state.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      ip: n.ip,
      ports: [this.definition.ports.peer],
    }));
  }

  endpoints(names?: string[]): string[] {
    return (names ?? this.state.nodes.map((n) => n.name)).map((n) => this.node(n).clientUrl);
  }

  /** Sum of the resident memory of the running members, in bytes. */
  memoryBytes(): number {
    return this.state.nodes.reduce((sum, n) => sum + (n.process ? rssBytes(n.process.pid) : 0), 0);
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

  async statusReport(): Promise<NodeStatusReport[]> {
    return Promise.all(
      this.state.nodes.map(async (n) => {
        const running = this.isRunning(n.name);
        const healthy = running && (await this.driver.isHealthy(n, 1000));
        const st = healthy
          ? await this.driver.status(n, this.state.nodes).catch(() => undefined)
          : undefined;
        return {
          name: n.name,
          ip: n.ip,
          netns: n.netns,
          ...(running
            ? { pid: n.process!.pid, procState: readProcStat(n.process!.pid)?.state }
            : {}),
          healthy,
          ...(st?.leader ? { leader: st.leader } : {}),
          ...(st ? { revision: st.revision } : {}),
          rssBytes: running ? rssBytes(n.process!.pid) : 0,
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

  /** Records a helper process (e.g. a link proxy) to kill at teardown. */
  registerAuxProcess(pid: number, what: string): void {
    this.state.auxProcesses.push({ pid, startTime: readProcStat(pid)?.startTime ?? 0, what });
    this.save();
  }

  /** SIGKILL everything, remove namespaces, veths, bridge and data. Idempotent. */
  async down(): Promise<void> {
    this.unregisterShutdown?.();
    this.unregisterShutdown = undefined;
    await teardownState(this.state, this.stateDirPath);
    this.children.clear();
  }
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
