/**
 * A bounded source over a fixed list of elements, for tests and examples.
 *
 * Splits as the generator source's (generator.ts): at the first start, subtask i of p emits the
 * elements at indexes i, i + p, i + 2p, ... in index order, so the readers together emit every
 * element exactly once. The list is copied when the source is made; later changes to the
 * caller's array are not seen.
 */
import { IndexRangeReader, indexRangeSource, type GeneratorSource } from "./generator.ts";
import type { SplitReaderContext } from "./split-source.ts";

export function elementsSource<T>(elements: readonly T[]): GeneratorSource<T> {
  const snapshot: readonly T[] = [...elements];
  return indexRangeSource(snapshot.length, (context) => new ElementsReader(context, snapshot));
}

class ElementsReader<T> extends IndexRangeReader<T> {
  constructor(
    context: SplitReaderContext,
    private readonly elements: readonly T[],
  ) {
    super(context, undefined);
  }

  protected emit(index: number): T {
    return this.elements[index]!;
  }
}
