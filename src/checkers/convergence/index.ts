/** Convergence after the final heal: see check.ts (pure); observing replicas is the system driver's `observe` (src/system). */
export { checkConvergence } from './check.js';
export type {
  ReplicaObservation,
  ConvergenceOptions,
  ConvergenceResult,
  Difference,
} from './check.js';
