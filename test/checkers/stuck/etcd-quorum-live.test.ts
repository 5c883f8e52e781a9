/**
 * Live: real etcd, real history. Two workers write through etcd3 while a nemesis SIGKILLs 2 of
 * the 3 members (quorum loss) and later restarts them. The history is recorded to JSONL by the
 * real recorder and read back by the real loader, then:
 * - cut at the moment of the heal, the stuck checker reports "stuck, active: kill ..." (false);
 * - whole, it reports the stall with its cause and "recovered after heal in X s" (true);
 * - perf separates the fault period from the rest; convergence compares the members' KV hashes;
 * - election safety reads the same run's raft logs; runCheckers composes them all.
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckers } from '../../../src/checkers/compose.js';
import {
  checkConvergence,
  type ReplicaObservation,
} from '../../../src/checkers/convergence/index.js';
import { checkElectionSafety } from '../../../src/checkers/election/index.js';
import { checkPerf } from '../../../src/checkers/perf/index.js';
import { checkStuck } from '../../../src/checkers/stuck/index.js';
import { loadHistory } from '../../../src/history/load.js';
import type { History } from '../../../src/history/op.js';
import { Recorder } from '../../../src/history/recorder.js';
import { observeEtcdMembers } from '../../../src/system/etcd-members.js';
import { LiveEtcdCluster } from '../election/live-etcd.js';
import { waitUntil } from '../../support/wait.js';

const OP_TIMEOUT_MS = 500;
const STALL_MS = 4_000;

describe('checkers on a real etcd quorum loss', () => {
  let cluster: LiveEtcdCluster;
  let history: History;
  let cutAtHeal: History;
  let killed: string[];
  let observations: ReplicaObservation[];

  beforeAll(async () => {
    cluster = await LiveEtcdCluster.start({ deadlineMs: 30_000 });
    const client = new Etcd3({
      hosts: Object.values(cluster.clientUrls),
      dialTimeout: OP_TIMEOUT_MS,
      defaultCallOptions: () => ({ deadline: Date.now() + OP_TIMEOUT_MS }),
      faultHandling: { host: () => noop, global: noop },
    });
    const recorder = await Recorder.open(join(cluster.dir, 'history.jsonl'));
    try {
      const [leader] = await cluster.waitForLeader();
      let running = true;
      let oks = 0;
      let lastOk = 0;
      let nextProcess = 2;
      const worker = async (w: number) => {
        let process = w;
        for (let i = 0; running; i++) {
          const key = `k${w}`;
          recorder.record({ type: 'invoke', process, f: 'write', key, value: i });
          try {
            await client.put(key).value(String(i));
            const op = recorder.record({ type: 'ok', process, f: 'write', key, value: i });
            oks++;
            lastOk = op.time;
          } catch (err) {
            // Timed out or unreachable: it may still have happened.
            recorder.record({
              type: 'info',
              process,
              f: 'write',
              key,
              value: i,
              error: String((err as Error).name),
            });
            process = nextProcess++;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      };
      const workers = [worker(0), worker(1)];
      try {
        await waitUntil('20 ok writes', () => oks >= 20, { timeoutMs: 20_000 });
        // Kill the leader and one follower: 1 of 3 left, no quorum.
        killed = [leader, cluster.names.find((n) => n !== leader)!];
        const fault = { id: 'f1', kind: 'kill', targets: killed, params: {} };
        recorder.record({ type: 'invoke', process: 'nemesis', f: 'start-kill', value: fault });
        for (const n of killed) await cluster.kill(n);
        const killedAt = recorder.now();
        recorder.record({
          type: 'info',
          process: 'nemesis',
          f: 'start-kill',
          value: { ...fault, verified: { exited: killed } },
        });
        await waitUntil(
          `${STALL_MS} ms without an ok write`,
          () => recorder.now() - Math.max(lastOk, killedAt) >= STALL_MS * 1e6,
          { timeoutMs: 30_000 },
        );
        recorder.record({
          type: 'invoke',
          process: 'nemesis',
          f: 'stop-kill',
          value: { id: 'f1' },
        });
        await recorder.flush();
        cutAtHeal = (await loadHistory(join(cluster.dir, 'history.jsonl'), { validate: false }))
          .ops;
        for (const n of killed) await cluster.spawn(n);
        recorder.record({
          type: 'info',
          process: 'nemesis',
          f: 'stop-kill',
          value: { id: 'f1', verified: { restarted: killed } },
        });
        const before = oks;
        await waitUntil('10 ok writes after the heal', () => oks >= before + 10, {
          timeoutMs: 30_000,
        });
      } finally {
        running = false;
        await Promise.all(workers);
      }
      await recorder.close();
      history = (await loadHistory(join(cluster.dir, 'history.jsonl'))).ops;
      // After the heal every member must catch up: poll until they agree, with a deadline.
      observations = await waitUntil(
        'members to converge',
        async () => {
          const obs = await observeEtcdMembers(cluster.clientUrls, { timeoutMs: 2000 });
          return checkConvergence(obs).valid === true ? obs : undefined;
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      client.close();
      await recorder.close().catch(() => undefined);
      await cluster.destroy(true);
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('cut at the heal: stuck at the end, caused by the kill', () => {
    const r = checkStuck(cutAtHeal, { gapThresholdNs: 3e9 });
    expect(r.valid).toBe(false);
    expect(r.stuckAtEnd).toBe(true);
    expect(r.reason).toMatch(
      new RegExp(
        `^no op completed for the last \\d+\\.\\d s .*; active: kill ${killed.join(',')} since \\d+\\.\\d s`,
      ),
    );
  });

  it('whole: the stall is reported with its cause, and recovery after the heal', () => {
    const r = checkStuck(history, { gapThresholdNs: 3e9, recoveryBoundNs: 30e9 });
    expect(r.valid).toBe(true);
    expect(r.stuckAtEnd).toBe(false);
    expect(r.windows.length).toBeGreaterThanOrEqual(1);
    const stall = r.windows.find((w) => w.faults.length > 0)!;
    expect(stall.duration).toBeGreaterThanOrEqual(STALL_MS * 1e6 - 1e9);
    expect(stall.faults[0]).toMatch(new RegExp(`^kill ${killed.join(',')} since`));
    expect(stall.outcomes.info).toBeGreaterThan(0);
    expect(r.recovery).toMatchObject({
      withinBound: true,
      message: expect.stringMatching(/^recovered \d+\.\d s after the heal began/),
    });
  });

  it('perf: ok writes outside the fault, timeouts inside it', () => {
    const r = checkPerf(history);
    expect(r.faults).toHaveLength(1);
    expect(r.faults[0]!.info.count).toBeGreaterThan(0);
    // Writes to the killed members fail fast (refused); those to the survivor time out.
    expect(r.faults[0]!.info.max).toBeGreaterThanOrEqual(OP_TIMEOUT_MS * 1e6 * 0.9);
    expect(r.faults[0]!.info.mean).toBeGreaterThan(r.outsideFaults.ok.mean);
    expect(r.outsideFaults.ok.count).toBeGreaterThanOrEqual(30);
    expect(r.outsideFaults.throughput.ok).toBeGreaterThan(r.faults[0]!.throughput.ok);
    expect(
      r.overall.ok.count + r.overall.info.count + r.overall.fail.count + r.overall.pending,
    ).toBe(history.filter((op) => op.type === 'invoke' && op.process !== 'nemesis').length);
  });

  it('convergence: all three members hash the same KV at one revision', () => {
    expect(observations).toHaveLength(3);
    const r = checkConvergence(observations);
    expect(r.valid).toBe(true);
    expect(new Set(observations.map((o) => o.hash)).size).toBe(1);
    expect(r.agreed.revision).toBeGreaterThan(30);
    // The same observations with one member's hash changed must be caught.
    const tampered = observations.map((o, i) => (i === 2 ? { ...o, hash: Number(o.hash) + 1 } : o));
    expect(checkConvergence(tampered).differences[0]).toMatchObject({
      field: 'hash',
      groups: [{}, { replicas: [observations[2]!.replica] }],
    });
  });

  it('election safety over the same run, and everything composed', async () => {
    const e = await checkElectionSafety(history, { logs: cluster.logs });
    expect(e.violations).toEqual([]);
    expect(e.valid).toBe(true);
    expect(e.summary.becameLeader).toBeGreaterThanOrEqual(2);
    const all = await runCheckers(history, {
      checkers: ['election', 'stuck', 'perf', 'convergence'],
      logs: cluster.logs,
      observations,
      options: { stuck: { gapThresholdNs: 3e9 } },
    });
    expect(all.valid).toBe(true);
  });
});
