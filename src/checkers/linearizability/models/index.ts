/** The built-in models by name, for the CLI and for worker threads (which rebuild them by name). */
import type { Model } from '../model.js';
import { kvModel } from './kv.js';
import { multiRegisterModel } from './multi-register.js';
import { mutexModel } from './mutex.js';
import type { ModelOptions } from './options.js';
import { fifoQueueModel, unorderedQueueModel } from './queue.js';
import { registerModel } from './register.js';
import { setModel } from './set.js';

export type { ModelOptions } from './options.js';
export { registerModel, pruneUnobservedWrites } from './register.js';
export { kvModel, kvKeyModel } from './kv.js';
export { mutexModel } from './mutex.js';
export { multiRegisterModel } from './multi-register.js';
export { setModel } from './set.js';
export { fifoQueueModel, unorderedQueueModel } from './queue.js';

export const MODEL_NAMES = [
  'register',
  'cas-register',
  'multi-register',
  'kv',
  'mutex',
  'set',
  'fifo-queue',
  'unordered-queue',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export function createModel(name: ModelName, opts: ModelOptions = {}): Model<unknown> {
  switch (name) {
    case 'register':
      return registerModel(opts, false) as Model<unknown>;
    case 'cas-register':
      return registerModel(opts, true) as Model<unknown>;
    case 'multi-register':
      return multiRegisterModel(opts) as Model<unknown>;
    case 'kv':
      return kvModel(opts);
    case 'mutex':
      return mutexModel(opts) as Model<unknown>;
    case 'set':
      return setModel(opts) as Model<unknown>;
    case 'fifo-queue':
      return fifoQueueModel(opts) as Model<unknown>;
    case 'unordered-queue':
      return unorderedQueueModel(opts) as Model<unknown>;
  }
}
