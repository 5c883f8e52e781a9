/**
 * The daemon as a child process on a real etcd-3 cluster:
 * - SIGTERM mid-fault: the trial is aborted cleanly (healed, torn down, stored), the state says
 *   stopped, nothing is left behind;
 * - SIGKILL mid-fault, then a restart: the leftovers are healed and torn down (no namespace, no
 *   etcd process, no iptables rule), the killed trial's run dir is marked crashed and its history
 *   is readable, and the numbering continues.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { execRaw } from '../../src/control/local.js';
import { waitFor } from '../../src/wait.js';
import { listNetns } from '../../src/placement/netns/network.js';
import { isAlive } from '../../src/control/proc.js';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import type { ClusterState } from '../../src/cluster/state.js';
import type { DaemonState } from '../../src/daemon/state.js';
import { loadHistory } from '../../src/history/load.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';
import { spawnCli } from '../support/cli.js';

const base = mkdtempSync(join(tmpdir(), `fl-daemon-crash-${process.pid}-`));
const stateDir = join(base, 'state');
const env = { ...process.env, FAULTLINE_STATE_DIR: stateDir };

function writeConfig(name: string, trials: number): string {
  const file = join(base, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      cluster: join(REPO, 'clusters/etcd-3.json'),
      readConsistency: 'linearizable',
      seed: 99,
      results: join(base, 'results'),
      // One long partition early in each 6 s trial, so a kill lands mid-fault.
      schedule: {
        durationMs: 6000,
        rate: 5,
        faultKinds: ['partition'],
        faults: { count: 1, minDurationMs: 3500, maxDurationMs: 4000 },
      },
      budget: { trials },
      shrink: { enabled: false },
    }),
  );
  return file;
}

let child: ChildProcess | undefined;
let stderr = '';

function startDaemon(config: string): ChildProcess {
  stderr = '';
  child = spawnCli(['daemon', '--config', config], { entry: 'source', env });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  return child;
}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

function readState(soakDir: string): DaemonState | undefined {
  try {
    return JSON.parse(readFileSync(join(soakDir, 'daemon.json'), 'utf8')) as DaemonState;
  } catch {
    return undefined; // not written yet, or being renamed into place
  }
}

/** Waits until trial `n` has a fault applied and not healed; returns the cluster's state file. */
async function waitMidFault(soakDir: string, n: number): Promise<ClusterState> {
  const runDir = join(soakDir, `trial-${String(n).padStart(6, '0')}`);
  await waitFor(
    `trial ${n} to have a fault applied`,
    () => {
      if (child && exited(child)) throw new Error(`daemon exited early: ${stderr}`);
      if (readState(soakDir)?.current?.trial !== n) return false;
      const journal = join(runDir, 'faults.journal.jsonl');
      if (!existsSync(journal)) return false;
      const events = readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; id: string });
      const applied = events.filter((e) => e.event === 'applied').map((e) => e.id);
      const healing = events
        .filter((e) => e.event === 'heal' || e.event === 'healed')
        .map((e) => e.id);
      return applied.some((id) => !healing.includes(id));
    },
    { timeoutMs: 90_000, intervalMs: 50 },
  );
  const files = readdirSync(join(stateDir, 'clusters')).filter((f) => f.endsWith('.json'));
  const states = files.map(
    (f) => JSON.parse(readFileSync(join(stateDir, 'clusters', f), 'utf8')) as ClusterState,
  );
  const s = states.find((x) => x.runDir === runDir);
  if (!s) throw new Error(`no cluster state for ${runDir}`);
  return s;
}

async function expectNoResidue(cluster: ClusterState): Promise<void> {
  const pids = cluster.nodes.map((n) => n.process?.pid).filter((p): p is number => p !== undefined);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) expect(isAlive(pid), `etcd pid ${pid}`).toBe(false);
  const netns = await listNetns();
  for (const p of cluster.placement.nodes)
    expect(netns, `namespace ${p.where.netns}`).not.toContain(p.where.netns);
  // No etcd of ours anywhere, and no Faultline iptables rule left in the host namespace either.
  const etcds = (await execRaw(['pgrep', '-f', `--data-dir=${base}`])).stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  expect(etcds.filter((p) => isAlive(p))).toEqual([]);
  const rules = await execRaw(['iptables-save']);
  expect(rules.stdout).not.toMatch(new RegExp(`faultline:.*${cluster.runId}`));
  expect(readdirSync(join(stateDir, 'clusters')).filter((f) => f.endsWith('.json'))).toEqual([]);
}

afterEach(() => {
  if (child && !exited(child)) child.kill('SIGKILL');
});

afterAll(async () => {
  await recoverLeftovers({ all: true, stateDir }); // whatever a failed test left
  rmSync(base, { recursive: true, force: true });
});

describeAsRoot('daemon crash safety', () => {
  it('SIGTERM mid-fault stops cleanly: healed, torn down, stored, state stopped', async () => {
    const soakDir = join(base, 'results', 'term');
    const c = startDaemon(writeConfig('term', 5));
    const cluster = await waitMidFault(soakDir, 1);
    c.kill('SIGTERM');
    await waitFor('the daemon to exit', () => exited(c), { timeoutMs: 60_000 });
    expect(c.exitCode, stderr).toBe(0);
    const state = readState(soakDir)!;
    expect(state.status).toBe('stopped');
    expect(state.stoppedReason).toMatch(/signal/);
    expect(state.pid).toBeNull();
    expect(state.current).toBeNull();
    expect(state.nextTrial).toBe(2);
    const results = JSON.parse(
      readFileSync(join(soakDir, 'trial-000001', 'results.json'), 'utf8'),
    ) as {
      run: { aborted: boolean };
    };
    expect(results.run.aborted).toBe(true);
    const journal = readFileSync(join(soakDir, 'trial-000001', 'faults.journal.jsonl'), 'utf8');
    expect(journal).toContain('"event":"healed"');
    await expectNoResidue(cluster);
  });

  it('SIGKILL mid-fault, restart: no residue, crashed trial readable, numbering continues', async () => {
    const soakDir = join(base, 'results', 'kill');
    const config = writeConfig('kill', 3);
    const first = startDaemon(config);
    const s1 = await waitFor(
      'trial 1 to end',
      () => (readState(soakDir)?.counts.trials ?? 0) >= 1,
      {
        timeoutMs: 90_000,
      },
    );
    expect(s1).toBe(true);
    const cluster = await waitMidFault(soakDir, 2);
    first.kill('SIGKILL');
    await waitFor('the daemon to die', () => exited(first), { timeoutMs: 10_000 });
    // The crash left the cluster and its fault in place.
    expect(await listNetns()).toContain(cluster.placement.nodes[0]!.where.netns);

    const second = startDaemon(config);
    await waitFor('the restarted daemon to finish', () => exited(second), { timeoutMs: 120_000 });
    expect(second.exitCode, stderr).toBe(0);
    expect(stderr).toMatch(/tore down a leftover cluster/);
    await expectNoResidue(cluster);

    const state = readState(soakDir)!;
    expect(state.nextTrial).toBe(4);
    expect(state.counts).toMatchObject({ trials: 3, crashed: 1, invalid: 0 });
    expect(state.status).toBe('stopped');
    const killed = join(soakDir, 'trial-000002');
    expect(existsSync(join(killed, 'crashed.json'))).toBe(true);
    const results = JSON.parse(readFileSync(join(killed, 'results.json'), 'utf8')) as {
      valid: unknown;
      run: { error: string };
    };
    expect(results.valid).toBe('unknown');
    expect(results.run.error).toMatch(/crashed/);
    const history = await loadHistory(join(killed, 'history.jsonl'), { format: 'jsonl' });
    expect(history.ops.length).toBeGreaterThan(10);
    expect(history.ops.some((o) => o.process === 'nemesis' && o.f === 'start-partition')).toBe(
      true,
    );
    expect(existsSync(join(soakDir, 'trial-000003', 'results.json'))).toBe(true);
    expect(state.resources.map((r) => r.trial)).toEqual([1, 3]);
  });
});
