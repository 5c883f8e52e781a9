/**
 * How the command line reports a fatal error: one clear line for usage and input problems
 * (src/errors.ts), the stack for internal errors because they are our bug.
 */
import { INPUT_ERROR_EXIT, INTERNAL_ERROR_EXIT, isInputProblem, UsageError } from '../errors.js';

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
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    process.stderr.write(`faultline: ${(err as Error).message}\n`);
    return INPUT_ERROR_EXIT;
  }
  process.stderr.write(`faultline: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return INTERNAL_ERROR_EXIT;
}
