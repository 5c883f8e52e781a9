/** Convergence after the final heal: see check.ts (pure) and etcd.ts (observing etcd members). */
export { checkConvergence } from './check.js';
export type {
  ReplicaObservation,
  ConvergenceOptions,
  ConvergenceResult,
  Difference,
} from './check.js';
export { observeEtcdMembers, type EtcdObserveOptions } from './etcd.js';
