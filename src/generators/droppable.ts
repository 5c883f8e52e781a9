/**
 * An arbitrary that always *generates* a value of `item` but *shrinks* first to `null` (the item
 * dropped), then like `item`. Unlike `fc.option`, generation never yields null, and unlike an
 * array, dropping one element does not move the others: a tuple of droppables keeps each
 * element in its own slot. The fault timeline uses it so that dropping one fault while shrinking
 * leaves the remaining faults where they were.
 */
import fc from 'fast-check';

class DroppableArbitrary<T> extends fc.Arbitrary<T | null> {
  constructor(private readonly item: fc.Arbitrary<T>) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T | null> {
    return this.item.generate(mrng, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is T | null {
    return value === null || this.item.canShrinkWithoutContext(value);
  }
  shrink(value: T | null, context: unknown): fc.Stream<fc.Value<T | null>> {
    if (value === null) return fc.Stream.nil();
    return fc.Stream.of<fc.Value<T | null>>(new fc.Value(null, undefined)).join(
      this.item.shrink(value, context),
    );
  }
}

export function droppable<T>(item: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return new DroppableArbitrary(item);
}
