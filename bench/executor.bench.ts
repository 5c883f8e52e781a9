/**
 * Executor throughput and recording overhead: the same closed loop (10 workers, no delays,
 * read/write/cas over 3 keys, etcd register workload) run alternately with the real history
 * Recorder and with a NullSink, several rounds; prints ops/s per round and the overhead of
 * recording (median over rounds).
 *
 *   npm run bench:run -- [--rounds 6] [--seconds 3] [--workers 10]
 *                        [--cluster clusters/etcd-5.json | --endpoints n1=http://...,n2=...]
 * With --cluster it brings that cluster up in namespaces (root) and tears it down after;
 * without --cluster or --endpoints it starts a single local etcd on loopback.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EtcdRegisterWorkload, type NodeEndpoint } from '../src/clients/index.js';
import { startLocalEtcd, type LocalEtcd } from '../test/support/local-etcd.js';
import { Executor, NullSink, type HistorySink, type OpInput } from '../src/executor/index.js';
import type { Op } from '../src/history/op.js';
import type { Schedule, ScheduledOp } from '../src/generators/schedule.js';
import { Recorder } from '../src/history/recorder.js';
import { Cluster } from '../src/cluster/cluster.js';
import { loadClusterDefinition } from '../src/definition.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '10' },
    endpoints: { type: 'string' },
    cluster: { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const workers = Number(args.workers);

function closedLoop(): Schedule {
  // More ops than any worker can do in the time: the duration ends the loop, not the list.
  const perWorker = 50_000;
  const processes: ScheduledOp[][] = [];
  for (let w = 0; w < workers; w++) {
    const ops: ScheduledOp[] = [];
    for (let i = 0; i < perWorker; i++) {
      const key = (i + w) % 3;
      const v = i % 5;
      ops.push(
        i % 3 === 0
          ? { delayMs: 0, f: 'read', key }
          : i % 3 === 1
            ? { delayMs: 0, f: 'write', key, value: v }
            : { delayMs: 0, f: 'cas', key, value: [v, (v + 1) % 5] },
      );
    }
    processes.push(ops);
  }
  return { version: 1, durationMs: seconds * 1000, keyCount: 3, processes, faults: [] };
}

/** Times the synchronous part of record() (serialization, batching); writes and fsync are async. */
class TimedSink implements HistorySink {
  ns = 0n;
  count = 0;
  constructor(private readonly inner: HistorySink) {}
  record(input: OpInput): Op {
    const t = process.hrtime.bigint();
    const op = this.inner.record(input);
    this.ns += process.hrtime.bigint() - t;
    this.count++;
    return op;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function round(nodes: NodeEndpoint[], sink: TimedSink, tag: string): Promise<number> {
  const workload = new EtcdRegisterWorkload({ prefix: `bench-${process.pid}-${tag}/` });
  const summary = await new Executor({
    schedule: closedLoop(),
    workload,
    nodes,
    recorder: sink,
    finalReads: false,
  }).run();
  return summary.opsPerSec;
}

const usPerRecord = (s: TimedSink): number => Number(s.ns) / 1000 / Math.max(1, s.count);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  let etcd: LocalEtcd | undefined;
  let cluster: Cluster | undefined;
  const dir = await mkdtemp(join(tmpdir(), `faultline-bench-${process.pid}-`));
  try {
    let nodes: NodeEndpoint[];
    if (args.cluster) {
      cluster = await Cluster.up(await loadClusterDefinition(args.cluster), {
        runDir: join(dir, 'cluster'),
      });
      nodes = cluster.nodes.map((n) => ({ name: n.name, url: n.clientUrl }));
    } else if (args.endpoints) {
      nodes = args.endpoints.split(',').map((e) => {
        const [name, url] = e.split('=');
        if (!name || !url) throw new Error(`--endpoints: expected name=url, got ${e}`);
        return { name, url };
      });
    } else {
      etcd = await startLocalEtcd();
      nodes = [{ name: etcd.name, url: etcd.url }];
    }
    console.log(
      `executor bench: ${workers} workers, ${seconds} s per round, ${rounds} rounds, nodes ${nodes.map((n) => n.url).join(' ')}`,
    );
    const rec: number[] = [];
    const none: number[] = [];
    const recCost: number[] = [];
    await round(nodes, new TimedSink(new NullSink()), 'warmup');
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first so drift (compaction, page cache) hits both alike.
      const order: Array<'recorder' | 'null'> =
        r % 2 === 0 ? ['recorder', 'null'] : ['null', 'recorder'];
      for (const kind of order) {
        if (kind === 'recorder') {
          const file = join(dir, `history-${r}.jsonl`);
          const sink = new TimedSink(await Recorder.open(file));
          const ops = await round(nodes, sink, `r${r}`);
          rec.push(ops);
          recCost.push(usPerRecord(sink));
          const size = (await stat(file)).size;
          console.log(
            `round ${r} recorder  ${ops.toFixed(0).padStart(7)} ops/s  record() ${usPerRecord(sink).toFixed(2)} us/op  (${(size / 1024).toFixed(0)} KiB history)`,
          );
        } else {
          const sink = new TimedSink(new NullSink());
          const ops = await round(nodes, sink, `n${r}`);
          none.push(ops);
          console.log(
            `round ${r} no-op     ${ops.toFixed(0).padStart(7)} ops/s  record() ${usPerRecord(sink).toFixed(2)} us/op`,
          );
        }
      }
    }
    const mr = median(rec);
    const mn = median(none);
    const pairs = rec.map((x, i) => (none[i]! - x) / none[i]!);
    console.log(
      `median ops/s: recorder ${mr.toFixed(0)}, no-op ${mn.toFixed(0)}; ` +
        `recording overhead ${(((mn - mr) / mn) * 100).toFixed(1)}% ` +
        `(per-round pairs: ${pairs.map((p) => (p * 100).toFixed(1) + '%').join(' ')})`,
    );
    // Each client op is two records (invoke + completion).
    const cpu = (2 * median(recCost) * mr) / 1e6;
    console.log(
      `recorder record(): median ${median(recCost).toFixed(2)} us per record = ${(cpu * 100).toFixed(2)}% of one core at ${mr.toFixed(0)} ops/s`,
    );
  } finally {
    await etcd?.stop();
    await cluster?.down();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
