/** Bad report input (missing history, unreadable results.json): one line naming the file. */
import type { InputProblem } from '../errors.js';

export class ReportInputError extends Error implements InputProblem {
  override readonly name = 'ReportInputError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }

  get userMessage(): string {
    return this.message;
  }
}
