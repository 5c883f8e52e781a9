/**
 * Trial seeds: trial `i` of a soak with seed `s` always runs the schedule of `trialSeed(s, i)`, so
 * any trial can be regenerated from the soak's config alone, and a restarted daemon continues the
 * same sequence. A 32-bit mix (murmur3's finalizer) keeps neighbouring trials' seeds unrelated.
 */
export function trialSeed(daemonSeed: number, trial: number): number {
  let h = (daemonSeed ^ Math.imul(trial, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  // fast-check seeds are signed 32-bit integers like the ones it draws itself.
  return h | 0;
}
