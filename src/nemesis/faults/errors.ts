/** A fault the nemesis cannot apply with what it was given (e.g. no link backend). */
export class FaultNotAvailableError extends Error {
  override readonly name = 'FaultNotAvailableError';
}
