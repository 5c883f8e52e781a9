/** Stuck state (liveness): see check.ts. */
export { checkStuck } from './check.js';
export type { StuckOptions, StuckResult, StallWindow, Recovery, StalledEntity } from './check.js';
export {
  faultPeriods,
  faultsDuring,
  describeFault,
  periodEnd,
  type FaultPeriod,
} from './fault-periods.js';
