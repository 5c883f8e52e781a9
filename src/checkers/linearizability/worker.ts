/**
 * Worker thread for checkLinearizability: rebuilds a built-in model by name and searches the
 * partitions it is sent, one at a time. A shared flag lets the main thread cancel a search.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from './models/index.js';
import { partitionModelFor } from './prepare.js';
import { searchPartition } from './search.js';
import type { WorkerTask } from './parallel.js';

const cancel = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);

parentPort!.on('message', (task: WorkerTask) => {
  const model = createModel(task.model, task.modelOptions);
  const partModel = partitionModelFor(model, task.split, task.ops);
  const deadline =
    task.deadlineEpochMs === null
      ? Infinity
      : performance.now() + (task.deadlineEpochMs - Date.now());
  const outcome = searchPartition(task.ops, partModel, {
    deadline,
    memoryLimitBytes: task.memoryLimitBytes,
    cancel,
    quick: task.quick,
  });
  parentPort!.postMessage({ i: task.i, outcome });
});
