/**
 * Regenerates test/fixtures/etcd-raft/: real etcd 3.4 logs of a 3-member cluster that elects a
 * leader, loses it to SIGKILL and elects another. Run: `npx tsx test/checkers/election/make-fixtures.ts`.
 * Variants: zap JSON (default flags), zap with --pre-vote (MsgPreVote lines), capnslog text.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runEtcdElection, type LiveEtcdOptions } from './live-etcd.js';

const OUT = join(import.meta.dirname, '../../fixtures/etcd-raft');
const variants: Record<string, LiveEtcdOptions> = {
  zap: { logger: 'zap' },
  'zap-prevote': { logger: 'zap', preVote: true },
  capnslog: { logger: 'capnslog' },
};

for (const [name, opts] of Object.entries(variants)) {
  const { run, cleanup } = await runEtcdElection(opts);
  try {
    const dir = join(OUT, name);
    await mkdir(dir, { recursive: true });
    for (const [node, path] of Object.entries(run.logs))
      await copyFile(path, join(dir, `${node}.log`));
    await writeFile(
      join(dir, 'scenario.json'),
      JSON.stringify(
        { etcd: '3.4.23', ...opts, firstLeader: run.firstLeader, secondLeader: run.secondLeader },
        null,
        2,
      ) + '\n',
    );
    console.log(name, run.firstLeader, '->', run.secondLeader);
  } finally {
    await cleanup();
  }
}
