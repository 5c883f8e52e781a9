/**
 * Searching independent partitions on worker threads. Only worth it when there is real work in
 * more than one partition (a worker costs tens of milliseconds to start). Built-in models only:
 * a worker rebuilds the model from its name. The first violation cancels the rest unless `full`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelOp } from './model.js';
import type { ModelName, ModelOptions } from './models/index.js';
import type { Partition } from './prepare.js';
import type { SearchOutcome } from './search.js';

export interface WorkerTask {
  i: number;
  ops: ModelOp[];
  model: ModelName;
  modelOptions: ModelOptions;
  split: boolean;
  deadlineEpochMs: number | null;
  memoryLimitBytes: number;
  /** Run the quick pass (search.ts quickPass) before the full search. */
  quick: boolean;
}

export interface ParallelOptions {
  model: ModelName;
  modelOptions: ModelOptions;
  split: boolean;
  workers: number;
  full: boolean;
  timeLimitMs: number | undefined;
  memoryLimitBytes: number;
  quick: boolean;
}

/** Partitions worth a thread of their own: enough ops and concurrency to search for a while. */
const BIG_PARTITION_OPS = 1000;

export function shouldUseWorkers(parts: readonly Partition[]): boolean {
  const big = parts.filter((p) => p.ops.length >= BIG_PARTITION_OPS && p.peakConcurrency >= 4);
  return big.length >= 2;
}

/**
 * The compiled worker (dist) when it exists; from TypeScript sources (tests, tsx) a small eval'd
 * bootstrap registers tsx in the worker and then loads worker.ts.
 */
function spawnWorker(cancel: SharedArrayBuffer): Worker {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { cancel } });
  // tsx's ESM entry sits beside the CommonJS one that require.resolve finds.
  const tsxCjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsxApi = pathToFileURL(tsxCjs.replace(/\.cjs$/, '.mjs')).href;
  const ts = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData: { cancel } });
}

export async function runOnWorkers(
  parts: readonly Partition[],
  opts: ParallelOptions,
): Promise<(SearchOutcome | undefined)[]> {
  const results: (SearchOutcome | undefined)[] = new Array(parts.length);
  const queue = parts.map((_, i) => i).sort((a, b) => parts[b]!.ops.length - parts[a]!.ops.length);
  const cancelBuf = new SharedArrayBuffer(4);
  const cancel = new Int32Array(cancelBuf);
  const deadlineEpochMs = opts.timeLimitMs === undefined ? null : Date.now() + opts.timeLimitMs;
  const n = Math.max(1, Math.min(opts.workers, parts.length));
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () => {
        const w = spawnWorker(cancelBuf);
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const feed = () => {
            const i = Atomics.load(cancel, 0) !== 0 ? undefined : queue.shift();
            if (i === undefined) return resolve();
            const p = parts[i]!;
            const task: WorkerTask = {
              i,
              ops: p.ops,
              model: opts.model,
              modelOptions: opts.modelOptions,
              split: opts.split,
              deadlineEpochMs,
              memoryLimitBytes: opts.memoryLimitBytes,
              quick: opts.quick,
            };
            w.postMessage(task);
          };
          w.on('message', (msg: { i: number; outcome: SearchOutcome }) => {
            results[msg.i] = msg.outcome;
            if (msg.outcome.valid === false && !opts.full) Atomics.store(cancel, 0, 1);
            feed();
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`linearizability worker exited with code ${code}`));
          });
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
