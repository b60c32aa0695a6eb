/**
 * A bounded source over a fixed list of elements, for tests and examples.
 *
 * Splits as the generator source's (generator.ts): at the first start, subtask i of p emits the
 * elements at indexes i, i + p, i + 2p, ... in index order, so the readers together emit every
 * element exactly once. The list is copied when the source is made; later changes to the
 * caller's array are not seen.
 */
import { indexRangeSource, type GeneratorSource } from "./generator.ts";

export function elementsSource<T>(elements: readonly T[]): GeneratorSource<T> {
  const snapshot: readonly T[] = [...elements];
  return indexRangeSource(snapshot.length, 0, undefined, (index) => snapshot[index]!);
}
