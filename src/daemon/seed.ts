/**
 * Trial seeds: trial `i` of a soak with seed `s` always runs the schedule of `trialSeed(s, i)`, so
 * any trial can be regenerated from the soak's config alone, and a restarted daemon continues the
 * same sequence. The mix keeps neighbouring trials' seeds unrelated.
 */
import { mixSeed } from '../nemesis/rng.js';

export function trialSeed(daemonSeed: number, trial: number): number {
  // fast-check seeds are signed 32-bit integers like the ones it draws itself.
  return mixSeed(daemonSeed, trial) | 0;
}
