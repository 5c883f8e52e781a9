/**
 * What every checker returns, and how results compose (Jepsen's rule): any `false` makes the
 * whole `false`, else any `"unknown"` makes it `"unknown"`, else `true`.
 */
export type Validity = true | false | 'unknown';

export interface CheckResult {
  valid: Validity;
  /** Checker-specific detail: enough to explain the verdict. */
  [detail: string]: unknown;
}

export function composeValidity(values: Iterable<Validity>): Validity {
  let unknown = false;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : true;
}

/** Exit code convention shared by `check`, `run` and `replay`: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeFor(valid: Validity): 0 | 1 | 2 {
  return valid === true ? 0 : valid === false ? 1 : 2;
}
