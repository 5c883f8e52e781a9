/**
 * Mutex (Knossos `mutex`): `acquire` succeeds only when free, `release` only when held. An
 * indeterminate acquire/release that took effect must have been legal too.
 */
import type { Model } from '../model.js';
import type { ModelOptions } from './options.js';

export function mutexModel(opts: ModelOptions = {}): Model<boolean> {
  const initial = opts.initial === true;
  return {
    name: 'mutex',
    init: () => initial,
    step(locked, op) {
      if (op.f === 'acquire') return locked ? undefined : true;
      return locked ? false : undefined;
    },
    hash: (s) => (s ? 1 : 2),
    equal: (a, b) => a === b,
    validate: (op) =>
      op.f === 'acquire' || op.f === 'release'
        ? undefined
        : `the mutex model has no op "${op.f}" (expected acquire/release)`,
    partition: (op) => op.key,
    describeState: (s) => (s ? 'held' : 'free'),
  };
}
