/**
 * Exit codes: 0 valid / ok, 1 invalid (a violation was found), 2 unknown, 64 usage error,
 * 65 bad input data, 70 internal error. Input problems are reported as one clear line, never
 * a stack trace; internal errors print the stack because they are our bug.
 */
import { fsReason } from '../input-file.js';

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

/** Prints an error the way a user should see it and returns the exit code to use. */
export function reportFatal(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`faultline: ${err.message}\n`);
    return UsageError.exitCode;
  }
  if (isInputProblem(err)) {
    process.stderr.write(`faultline: ${err.userMessage}\n`);
    return INPUT_ERROR_EXIT;
  }
  // A file the user named that a reader opened without naming it: path (when Node knows it)
  // and the reason in words, not Node's raw `EISDIR: illegal operation on a directory, read`.
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
    const path = (err as NodeJS.ErrnoException).path;
    process.stderr.write(`faultline: ${path ? `${path}: ` : ''}${fsReason(err)}\n`);
    return INPUT_ERROR_EXIT;
  }
  process.stderr.write(`faultline: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return INTERNAL_ERROR_EXIT;
}
