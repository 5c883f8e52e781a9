/** Performance: latency quantiles and throughput, overall and per fault period (check.ts). */
export { checkPerf, latencyStats } from './check.js';
export type { PerfResult, PeriodStats, LatencyStats } from './check.js';
