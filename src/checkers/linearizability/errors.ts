/** A history the linearizability checker cannot interpret (unpaired ops, ops the model lacks). */
import type { InputProblem } from '../../errors.js';

export class LinearizabilityInputError extends Error implements InputProblem {
  override readonly name = 'LinearizabilityInputError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
  get userMessage(): string {
    return this.file ? `${this.file}: ${this.message}` : this.message;
  }
}
