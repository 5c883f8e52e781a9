/**
 * How the command line reports a fatal error: one clear line for usage and input problems
 * (src/errors.ts), the stack for internal errors because they are our bug.
 */
import { INPUT_ERROR_EXIT, INTERNAL_ERROR_EXIT, isInputProblem, UsageError } from '../errors.js';
import { fsReason } from '../input-file.js';

export { UsageError } from '../errors.js';

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
