/**
 * Two tiers. `unit` (npm run test:unit): checkers, histories, generators, the CLI on files:
 * nothing but Node, no root, files in parallel. `cluster` (npm run test:cluster): files that
 * start real systems (etcd, PostgreSQL, network namespaces and iptables, libfaketime, a
 * browser); they own namespaces, ports and the machine's CPU, so they run one file at a time,
 * after the unit tier. `npm test` runs both.
 */
import { defineConfig } from 'vitest/config';

/** Test files that start real systems. Everything else is the unit tier. */
export const CLUSTER_TESTS = [
  'test/checkers/election/etcd-live.test.ts',
  'test/checkers/stuck/etcd-quorum-live.test.ts',
  'test/clients/etcd.test.ts',
  'test/clients/pg/pg-txn.test.ts',
  'test/clients/pg/pg-vote.test.ts',
  'test/clients/pg/postgres-driver.test.ts',
  'test/cluster/cli.test.ts',
  'test/cluster/faketime.test.ts',
  'test/control/docker.test.ts',
  'test/control/ssh.test.ts',
  'test/daemon/crash.test.ts',
  'test/daemon/daemon.test.ts',
  'test/daemon/shrink-live.test.ts',
  'test/executor/cluster.test.ts',
  'test/executor/executor.test.ts',
  'test/executor/flap-open-loop.test.ts',
  'test/nemesis/etcd-faults.test.ts',
  'test/nemesis/etcd-latency.test.ts',
  'test/nemesis/link/link-faults.test.ts',
  'test/nemesis/residue.test.ts',
  'test/perf/etcd-perf.test.ts',
  'test/report/report.test.ts',
  'test/report/run-card.test.ts',
  'test/resources/etcd-soak.test.ts',
  'test/resources/report.test.ts',
  'test/run/run.test.ts',
  'test/run/start-failure.test.ts',
  'test/run/stuck-run.test.ts',
  'test/run/terminal.test.ts',
  'test/run/vote-run.test.ts',
  'test/server/live-shrink.test.ts',
  'test/server/ui.test.ts',
  'test/sweep/sweep.test.ts',
];

export const ALL_TESTS = ['test/**/*.test.ts', 'src/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ALL_TESTS, exclude: CLUSTER_TESTS },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: CLUSTER_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
