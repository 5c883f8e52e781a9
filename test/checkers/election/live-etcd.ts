/**
 * A real 3-member etcd cluster on 127.0.0.1 for the checker tests (free ports from the kernel,
 * a temp dir named with the pid), with SIGKILL and restart of members. `runEtcdElection` is the
 * election scenario: elect, SIGKILL the leader, wait (polling, with a deadline) for a new
 * leader, SIGKILL all. Used by the integration tests and by make-fixtures.ts.
 *
 * Leaders are found with plain regexes over the log files, independently of the parser under
 * test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../support/ports.js';
import { waitUntil } from '../../support/wait.js';

export const ETCD_BIN = '/usr/bin/etcd';

export interface LiveEtcdOptions {
  /** `zap` writes JSON lines to the log file; `capnslog` is the older text format (stderr). */
  logger?: 'zap' | 'capnslog';
  preVote?: boolean;
  /** Deadline for each wait, ms. */
  deadlineMs?: number;
}

const LEADER_RE = /([0-9a-f]+) became leader at term (\d+)/g;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export class LiveEtcdCluster {
  readonly names = ['e1', 'e2', 'e3'];
  readonly logs: Record<string, string> = {};
  readonly clientUrls: Record<string, string> = {};
  private readonly children = new Map<string, ChildProcess>();
  private readonly args = new Map<string, string[]>();

  private constructor(
    readonly dir: string,
    readonly opts: LiveEtcdOptions,
  ) {}

  static async start(opts: LiveEtcdOptions = {}): Promise<LiveEtcdCluster> {
    const dir = await mkdtemp(join(tmpdir(), `faultline-etcd-${process.pid}-`));
    const c = new LiveEtcdCluster(dir, opts);
    try {
      const n = c.names.length;
      const ports = await freePorts(n * 2);
      const peer = (i: number) => `http://127.0.0.1:${ports[i]}`;
      const initialCluster = c.names.map((name, i) => `${name}=${peer(i)}`).join(',');
      const logger = opts.logger ?? 'zap';
      for (const [i, name] of c.names.entries()) {
        const client = `http://127.0.0.1:${ports[n + i]}`;
        c.clientUrls[name] = client;
        c.logs[name] = join(dir, `${name}.log`);
        c.args.set(name, [
          `--name=${name}`,
          `--data-dir=${join(dir, name)}`,
          `--listen-peer-urls=${peer(i)}`,
          `--initial-advertise-peer-urls=${peer(i)}`,
          `--listen-client-urls=${client}`,
          `--advertise-client-urls=${client}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          `--initial-cluster-token=faultline-${process.pid}-${ports[0]}`,
          `--logger=${logger}`,
          ...(opts.preVote ? ['--pre-vote=true'] : []),
          ...(logger === 'zap' ? [`--log-outputs=${c.logs[name]}`] : []),
        ]);
        await c.spawn(name);
      }
      return c;
    } catch (err) {
      await c.destroy();
      throw err;
    }
  }

  /** (Re)starts a member with its original flags; its data dir keeps its raft state. */
  async spawn(name: string): Promise<void> {
    // capnslog writes to stderr: append it to the log file ourselves.
    const fh = this.opts.logger === 'capnslog' ? await open(this.logs[name]!, 'a') : undefined;
    const child = spawn(ETCD_BIN, this.args.get(name)!, {
      stdio: ['ignore', 'ignore', fh ? fh.fd : 'ignore'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).finally(() => fh?.close());
    this.children.set(name, child);
  }

  async kill(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  /** Highest `became leader` term per node, read from the logs by plain regex. */
  async leaderTerms(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [node, path] of Object.entries(this.logs)) {
      const text = await readFile(path, 'utf8').catch(() => '');
      for (const m of text.matchAll(LEADER_RE)) {
        const term = Number(m[2]);
        if (term > (out.get(node) ?? -1)) out.set(node, term);
      }
    }
    return out;
  }

  /** Waits for a leader elected after `afterTerm`, not among `exclude`. */
  waitForLeader(afterTerm = 0, exclude: string[] = []): Promise<[string, number]> {
    return waitUntil(
      `a leader after term ${afterTerm}`,
      async () => {
        const terms = [...(await this.leaderTerms()).entries()].filter(
          ([n, t]) => t > afterTerm && !exclude.includes(n),
        );
        return terms.sort((a, b) => b[1] - a[1])[0];
      },
      { timeoutMs: this.opts.deadlineMs ?? 30_000, intervalMs: 100 },
    );
  }

  /** SIGKILL everything (etcd's SIGTERM can take seconds) and remove the temp dir. */
  async destroy(keepDir = false): Promise<void> {
    for (const c of this.children.values())
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all([...this.children.values()].map(exited));
    if (!keepDir) await rm(this.dir, { recursive: true, force: true });
  }
}

export interface LiveEtcdRun {
  dir: string;
  /** Node name -> log file path. */
  logs: Record<string, string>;
  /** The node killed as the first leader, and the node elected after it. */
  firstLeader: string;
  secondLeader: string;
}

/** The election scenario; the caller reads the logs, then calls `cleanup`. */
export async function runEtcdElection(
  opts: LiveEtcdOptions = {},
): Promise<{ run: LiveEtcdRun; cleanup: () => Promise<void> }> {
  const cluster = await LiveEtcdCluster.start(opts);
  const cleanup = () => cluster.destroy();
  try {
    const [firstLeader, firstTerm] = await cluster.waitForLeader();
    await cluster.kill(firstLeader);
    const [secondLeader] = await cluster.waitForLeader(firstTerm, [firstLeader]);
    await cluster.destroy(true);
    return { run: { dir: cluster.dir, logs: cluster.logs, firstLeader, secondLeader }, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
