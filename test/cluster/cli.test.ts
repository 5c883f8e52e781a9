/**
 * `faultline cluster up|status|down` end to end on a real etcd-3 (root only), through the same
 * command code src/cli.ts wires in (test/nemesis/fixtures/cluster-cli.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster.js';
import { listNetns } from '../../src/placement/netns/network.js';
import { readProcStat } from '../../src/control/proc.js';
import { listFaultRules } from '../../src/nemesis/iptables.js';
import { Nemesis } from '../../src/nemesis/nemesis.js';
import { recoverLeftovers } from '../../src/recovery/recover.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';
import { runCliAsync } from '../support/cli.js';

describeAsRoot('faultline cluster CLI', () => {
  const base = mkdtempSync(join(tmpdir(), `fl-cli-${process.pid}-`));
  const env = { ...process.env, FAULTLINE_STATE_DIR: join(base, 'state') };
  const cli = (...args: string[]) =>
    runCliAsync(args, { entry: join(REPO, 'test/nemesis/fixtures/cluster-cli.ts'), env });

  afterAll(async () => {
    await recoverLeftovers({ all: true, stateDir: join(base, 'state') });
    if (!process.env.FAULTLINE_KEEP_TEST_DIRS) rmSync(base, { recursive: true, force: true });
  });

  it('rejects a bad definition with one line naming the file and field (exit 65)', async () => {
    const bad = join(base, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        name: 'b',
        database: 'etcd',
        nodes: [{ name: 'n1' }],
        ports: { client: 1, peer: 'x' },
      }),
    );
    const r = await cli('cluster', 'up', bad);
    expect(r.status).toBe(65);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.json: ports\.peer: /);
  });

  it('up leaves a healthy cluster running; status shows it; down removes it', async () => {
    const def = join(REPO, 'clusters/etcd-3.json');
    const up = await cli('cluster', 'up', def, '--run-dir', join(base, 'run'), '--json');
    expect(up.status, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as {
      stateFile: string;
      endpoints: string[];
      upMs: number;
      memoryBytes: number;
      leader: string | null;
      runId: string;
    };
    console.log(
      `[measure] cli cluster up etcd-3 -> healthy ${info.upMs} ms; members RSS ${(info.memoryBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(info.endpoints).toHaveLength(3);
    expect(info.leader).toMatch(/^n[123]$/);
    expect(existsSync(info.stateFile)).toBe(true);

    // The CLI process has exited; the cluster lives on (no owner) and is healthy.
    const status = await cli('cluster', 'status', info.stateFile, '--json');
    expect(status.status, status.stderr).toBe(0);
    const [cl] = JSON.parse(status.stdout) as { nodes: { healthy: boolean; leader?: string }[] }[];
    expect(cl!.nodes.map((n) => n.healthy)).toEqual([true, true, true]);
    expect(new Set(cl!.nodes.map((n) => n.leader)).size).toBe(1);

    // A nemesis works on the left-up cluster and "crashes": its journal's writer is dead. The
    // start-up recovery of the next command heals its faults and keeps the cluster.
    const attached = Cluster.attach(info.stateFile, { stateDir: join(base, 'state') });
    const nemesis = new Nemesis(attached, {
      journalPath: join(base, 'crashed.journal.jsonl'),
      healOnSignal: false,
    });
    const pause = await nemesis.apply({ kind: 'pause', targets: { nodes: ['n2'] } });
    await nemesis.apply({ kind: 'partition', targets: { nodes: ['n3'] } });
    const pausedPid = attached.pidOf('n2')!;
    expect(pause.verification.ok).toBe(true);
    attached.reload();
    attached.state.journals = attached.state.journals.map((j) => ({
      ...j,
      writer: { pid: 999_999_999, startTime: 0 },
    }));
    attached.save();
    const healed = await cli('cluster', 'status', info.stateFile, '--json');
    expect(healed.status, healed.stderr).toBe(0);
    expect(healed.stderr).toMatch(/healed faults f2:partition, f1:pause left by a crashed nemesis/);
    expect(readProcStat(pausedPid)?.state).not.toBe('T');
    expect(await listFaultRules(attached.remote('n3'))).toEqual([]);

    const down = await cli('cluster', 'down', def);
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`tore down cluster etcd-3 \\(run ${info.runId}\\)`));
    expect(existsSync(info.stateFile)).toBe(false);
    expect((await listNetns()).filter((n) => n.startsWith(`fl${info.runId}-`))).toEqual([]);
    const after = await cli('cluster', 'status');
    expect(after.stdout).toMatch(/no clusters running/);
  });
});
