/**
 * An array arbitrary that *generates* full arrays (length in [minFill, maxLength]) but *shrinks*
 * like `fc.array(item, {minLength: 0})`: all the way down to empty.
 *
 * Why: a schedule should fill its time (a process with rate r over T seconds gets about r*T ops,
 * not a random 0..max), yet fast-check must still be able to drop ops, processes and faults
 * when it minimizes a failing schedule. `fc.array` ties both to `minLength`; this splits them.
 * Both inner arbitraries are fast-check ArrayArbitrary over the same item arbitrary, so values
 * and shrink contexts produced by one are understood by the other.
 */
import fc from 'fast-check';

class DenseArrayArbitrary<T> extends fc.Arbitrary<T[]> {
  constructor(
    private readonly generator: fc.Arbitrary<T[]>,
    private readonly shrinker: fc.Arbitrary<T[]>,
  ) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T[]> {
    return this.generator.generate(mrng, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is T[] {
    return this.shrinker.canShrinkWithoutContext(value);
  }
  shrink(value: T[], context: unknown): fc.Stream<fc.Value<T[]>> {
    return this.shrinker.shrink(value, context);
  }
}

export interface DenseArrayConstraints {
  /** Generated arrays are at least this long (clamped to maxLength). */
  minFill: number;
  maxLength: number;
  /** Shrinking never goes below this (default 0). */
  minLength?: number;
}

export function denseArray<T>(item: fc.Arbitrary<T>, c: DenseArrayConstraints): fc.Arbitrary<T[]> {
  const minLength = c.minLength ?? 0;
  const minFill = Math.max(minLength, Math.min(c.minFill, c.maxLength));
  const generator = fc.array(item, { minLength: minFill, maxLength: c.maxLength, size: 'max' });
  const shrinker = fc.array(item, { minLength, maxLength: c.maxLength, size: 'max' });
  return new DenseArrayArbitrary(generator, shrinker);
}
