/**
 * The error kinds every layer may raise for the user (bottom level: history, checkers,
 * generators, report and the cluster layers import it; only src/cli prints them). Exit codes:
 * 0 valid / ok, 1 invalid (a violation was found), 2 unknown, 64 usage error, 65 bad input data,
 * 70 internal error. Input problems are reported as one clear line, never a stack trace.
 */
export class UsageError extends Error {
  static readonly exitCode = 64;
  override readonly name = 'UsageError';
}

/** Anything that carries a user-facing location (file:line) and should be shown plainly. */
export interface InputProblem {
  readonly userMessage: string;
}

export const INPUT_ERROR_EXIT = 65;
export const INTERNAL_ERROR_EXIT = 70;

export function isInputProblem(err: unknown): err is InputProblem {
  return (
    typeof err === 'object' && err !== null && typeof (err as InputProblem).userMessage === 'string'
  );
}
