/**
 * The executor end to end with the real pieces: a 3-member etcd cluster in network namespaces,
 * the real Nemesis breaking it (partition, kill, pause) on a generated schedule, the real
 * Recorder. Checks the composition the `faultline run` command relies on: a well-formed history
 * with the nemesis ops of the shared contract, every fault healed, recovery, final reads that
 * agree across members.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EtcdRegisterWorkload } from '../../src/clients/index.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { loadClusterDefinition } from '../../src/definition.js';
import { Executor } from '../../src/executor/index.js';
import { generateSchedule } from '../../src/generators/index.js';
import { loadHistory } from '../../src/history/load.js';
import { Recorder } from '../../src/history/recorder.js';
import { validateHistory } from '../../src/history/validate.js';
import { Nemesis } from '../../src/nemesis/nemesis.js';
import { describeAsRoot } from '../support/env.js';
import { REPO } from '../support/repo.js';

describeAsRoot('executor on a real 3-member etcd cluster with the real nemesis', () => {
  let base: string;
  let cluster: Cluster | undefined;
  let nemesis: Nemesis | undefined;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), `fl-exec-${process.pid}-`));
    process.env.FAULTLINE_STATE_DIR = join(base, 'state');
    const def = await loadClusterDefinition(join(REPO, 'clusters', 'etcd-3.json'));
    cluster = await Cluster.up(def, { runDir: join(base, 'run') });
    nemesis = new Nemesis(cluster, { seed: 7 });
  });

  afterAll(async () => {
    await nemesis?.close();
    await cluster?.down();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('runs a generated schedule with faults and leaves the cluster healed', async () => {
    const { schedule } = generateSchedule(
      {
        durationMs: 8_000,
        concurrency: 6,
        rate: 10,
        keys: 2,
        faultKinds: ['partition', 'kill', 'pause'],
        faults: { count: 2, minDurationMs: 1_000, maxDurationMs: 2_000 },
        settleMs: 1_000,
      },
      11,
    );
    expect(schedule.faults.length).toBeGreaterThan(0);
    const nodes = cluster!.nodes.map((n) => ({ name: n.name, url: n.clientUrl }));
    const file = join(base, 'history.jsonl');
    const ex = new Executor({
      schedule,
      workload: new EtcdRegisterWorkload({ prefix: `e2e-${process.pid}/` }),
      nodes,
      recorder: await Recorder.open(file),
      nemesis: nemesis!,
      opTimeoutMs: 1000,
    });
    const summary = await ex.run();
    const { ops } = await loadHistory(file);
    console.log(
      `[measure] faults ${schedule.faults.map((f) => `${f.fault.kind}@${f.atMs}+${f.durationMs}`).join(' ')}; ` +
        `ok ${summary.ok} fail ${summary.fail} info ${summary.info}, ${summary.opsPerSec.toFixed(0)} ops/s, ` +
        `recovery ${summary.recoveryMs} ms, processes ${summary.processes}`,
    );
    expect(validateHistory(ops)).toEqual([]);
    expect(summary.faultsApplied + summary.faultsFailed).toBe(schedule.faults.length);
    expect(summary.faultsFailed).toBe(0);
    expect(nemesis!.activeFaults()).toEqual([]);
    expect(summary.recovered).toBe(true);

    const nem = ops.filter((o) => o.process === 'nemesis');
    expect(nem.length).toBe(4 * schedule.faults.length);
    schedule.faults.forEach((sf, i) => {
      const mine = nem.filter((o) => (o.value as { id: string }).id === `f${i}`);
      expect(mine.map((o) => `${o.type} ${o.f}`)).toEqual([
        `invoke start-${sf.fault.kind}`,
        `info start-${sf.fault.kind}`,
        `invoke stop-${sf.fault.kind}`,
        `info stop-${sf.fault.kind}`,
      ]);
      const started = mine[1]!.value as { targets: string[]; verified: { ok: unknown } };
      expect(started.targets.length).toBeGreaterThan(0);
      expect(started.verified.ok).toBe(true);
    });

    // Final reads: every key on every member, all ok, members agree.
    const finals = ops.slice(-2 * nodes.length * schedule.keyCount).filter((o) => o.type === 'ok');
    expect(finals.length).toBe(nodes.length * schedule.keyCount);
    for (let k = 0; k < schedule.keyCount; k++) {
      const values = new Set(finals.filter((o) => o.key === k).map((o) => JSON.stringify(o.value)));
      expect(values.size).toBe(1);
    }
    expect(new Set(finals.map((o) => o.node))).toEqual(new Set(nodes.map((n) => n.name)));
  });
});
