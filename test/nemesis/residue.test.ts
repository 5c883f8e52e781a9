/**
 * A Faultline process is SIGKILLed while a partition, a pause and a link-proxy latency fault are
 * active on its cluster; the
 * start-up recovery of the next command (here `cluster status`) and `cluster down --all` must
 * leave no iptables rule, stopped process, proxy, namespace, veth, bridge or etcd process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { execRaw } from '../../src/control/local.js';
import { waitFor } from '../../src/wait.js';
import { listLinks, listNetns } from '../../src/placement/netns/network.js';
import { isAlive, readProcStat } from '../../src/control/proc.js';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import { listFaultRules } from '../../src/nemesis/iptables.js';
import { privateDirs, removeDirs } from './helpers.js';
import { REPO } from '../support/repo.js';
import { describeAsRoot } from '../support/env.js';
import { runCliAsync } from '../support/cli.js';
import { NetnsRemote } from '../../src/control/netns.js';

interface ChildReport {
  runId: string;
  stateFile: string;
  bridge: string;
  netns: string[];
  vethHosts: string[];
  pids: number[];
  pausedPid: number;
  proxyPids: number[];
  latency: unknown;
  verified: unknown[];
}

const clusterCli = (args: string[], env: NodeJS.ProcessEnv) =>
  runCliAsync(args, { entry: join(REPO, 'test/nemesis/fixtures/cluster-cli.ts'), env });

describeAsRoot('crash residue', () => {
  const { base, stateDir, runDir } = privateDirs('residue');
  const env = { ...process.env, FAULTLINE_STATE_DIR: stateDir };
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    await recoverLeftovers({ all: true, stateDir }); // whatever the test left, even on failure
    removeDirs(base);
  });

  /** Starts the child and waits for its report (cluster up, faults applied). */
  async function startChild(dir: string, extra: string[] = []): Promise<ChildReport> {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'test/nemesis/fixtures/crash-child.ts'), dir, ...extra],
      {
        cwd: REPO,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return waitFor(
      'the child to bring up a cluster and apply its faults',
      () => {
        if (child!.exitCode !== null) throw new Error(`child exited ${child!.exitCode}: ${err}`);
        const line = out.split('\n').find((l) => l.startsWith('{'));
        return line ? (JSON.parse(line) as ChildReport) : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }

  async function expectNoResidue(report: ChildReport, dir: string): Promise<void> {
    for (const pid of [...report.pids, ...report.proxyPids])
      expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect((await listNetns()).filter((n) => n.startsWith(`fl${report.runId}-`))).toEqual([]);
    expect((await listLinks()).filter((l) => l.startsWith(`fl${report.runId}`))).toEqual([]);
    const etcds = (await execRaw(['pgrep', '-f', `--data-dir=${dir}`])).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(etcds.filter((p) => isAlive(p))).toEqual([]); // (zombies of reparented processes may linger: PID 1 here does not reap)
    expect(readdirSync(join(stateDir, 'clusters'))).toEqual([]);
  }

  it('SIGTERM heals every fault and tears the cluster down before exiting', async () => {
    const dir = `${runDir}-term`;
    const report = await startChild(dir, ['--signals']);
    expect(report.verified).toEqual([true, true, true]);
    child!.kill('SIGTERM');
    await waitFor('the child to exit', () => child!.exitCode !== null, { timeoutMs: 60_000 });
    expect(child!.exitCode).toBe(143);
    await expectNoResidue(report, dir);
    const journal = readFileSync(join(dir, 'faults.journal.jsonl'), 'utf8');
    for (const id of ['f1', 'f2', 'f3']) expect(journal).toContain(`"event":"healed","id":"${id}"`);
  });

  it('recovers everything a SIGKILLed Faultline left mid-fault', async () => {
    const report = await startChild(runDir);
    expect(report.verified, JSON.stringify(report.latency)).toEqual([true, true, true]);
    expect(report.proxyPids).toHaveLength(3);
    for (const pid of report.proxyPids) expect(isAlive(pid), `link proxy pid ${pid}`).toBe(true);
    expect(readProcStat(report.pausedPid)?.state).toBe('T');
    expect((await listFaultRules(new NetnsRemote('n1', report.netns[0]!))).length).toBeGreaterThan(
      0,
    );

    child!.kill('SIGKILL');
    await waitFor(
      'the child to die',
      () => child!.exitCode !== null || child!.signalCode !== null,
      { timeoutMs: 5000 },
    );
    // The crash left everything in place: the faults are still active.
    expect(readProcStat(report.pausedPid)?.state).toBe('T');
    expect((await listNetns()).filter((n) => report.netns.includes(n))).toHaveLength(3);

    // Start-up recovery of the next command: the owner is dead, so its cluster goes.
    const status = await clusterCli(['cluster', 'status'], env);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stderr).toMatch(
      new RegExp(
        `tore down cluster etcd-3 \\(run ${report.runId}\\): owner pid \\d+ is gone; unhealed faults were f1:latency, f2:partition, f3:pause`,
      ),
    );
    const down = await clusterCli(['cluster', 'down', '--all'], env);
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/nothing to tear down/);

    // No residue of any kind.
    await expectNoResidue(report, runDir);
    expect(readdirSync(join(runDir, 'logs')).sort()).toEqual([
      'n1.link.log',
      'n1.log',
      'n2.link.log',
      'n2.log',
      'n3.link.log',
      'n3.log',
    ]); // logs are kept
    expect(readFileSync(join(runDir, 'faults.journal.jsonl'), 'utf8')).toMatch(/"event":"apply"/);
  });
});
