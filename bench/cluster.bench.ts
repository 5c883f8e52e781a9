/**
 * Cluster benchmark (root): time from `up` to healthy for etcd-3 and etcd-5, members' memory,
 * how long a partition takes to apply + verify and to heal, and teardown time.
 * Run: npm run bench:cluster. Exits 1 if a cluster takes 10 s or more to become healthy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Nemesis } from '../src/nemesis/nemesis.js';
import { Cluster } from '../src/cluster/cluster.js';
import { loadClusterDefinition } from '../src/definition.js';

const TARGET_UP_MS = 10_000;
const repo = join(fileURLToPath(import.meta.url), '..', '..');
const base = mkdtempSync(join(tmpdir(), 'fl-bench-'));
process.env.FAULTLINE_STATE_DIR ??= join(base, 'state');

const rows: Record<string, number | string>[] = [];
let slow = false;
for (const name of ['etcd-3', 'etcd-5']) {
  const def = await loadClusterDefinition(join(repo, 'clusters', `${name}.json`));
  const t0 = performance.now();
  const cluster = await Cluster.up(def, { runDir: join(base, name) });
  const upMs = performance.now() - t0;
  const nemesis = new Nemesis(cluster, { seed: 1 });
  try {
    const t1 = performance.now();
    const f = await nemesis.apply({ kind: 'partition', targets: 'primaries' });
    const applyMs = performance.now() - t1;
    const t2 = performance.now();
    await nemesis.heal(f.id);
    await cluster.waitHealthy();
    const healMs = performance.now() - t2;
    rows.push({
      cluster: name,
      upToHealthyMs: Math.round(upMs),
      membersRssMiB: Number(((await cluster.memoryBytes()) / 2 ** 20).toFixed(1)),
      partitionApplyVerifyMs: Math.round(applyMs),
      healToHealthyMs: Math.round(healMs),
      verified: String(f.verification.ok),
    });
  } finally {
    await nemesis.close();
    const t3 = performance.now();
    await cluster.down();
    rows[rows.length - 1]!.downMs = Math.round(performance.now() - t3);
  }
  if (upMs >= TARGET_UP_MS) slow = true;
}
rmSync(base, { recursive: true, force: true });
console.table(rows);
console.log(JSON.stringify({ bench: 'cluster', targetUpMs: TARGET_UP_MS, rows }));
if (slow) {
  console.error(`a cluster took ${TARGET_UP_MS} ms or more to become healthy`);
  process.exitCode = 1;
}
