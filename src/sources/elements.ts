/**
 * A bounded source over a fixed list of elements, for tests and examples.
 *
 * Split: subtask i of p emits the elements at indexes i, i + p, i + 2p, ... in index order, so
 * the readers together emit every element exactly once. The list is copied when the source is
 * made; later changes to the caller's array are not seen.
 */
import { AVAILABLE } from "./source.ts";
import { restoredPosition } from "./generator.ts";
import type { InputStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from "./source.ts";

export function elementsSource<T>(elements: readonly T[]): Source<T> {
  const snapshot: readonly T[] = [...elements];
  return {
    boundedness: "bounded",
    createReader: (context) => new ElementsReader(snapshot, context),
  };
}

class ElementsReader<T> implements SourceReader<T> {
  private next: number;
  private readonly stride: number;

  constructor(
    private readonly elements: readonly T[],
    context: SourceReaderContext,
  ) {
    this.next = restoredPosition(context) ?? context.subtaskIndex;
    this.stride = context.parallelism;
  }

  /** The index of the next element this subtask emits. */
  snapshotState(): number {
    return this.next;
  }

  pollNext(output: SourceOutput<T>, maxRecords: number): InputStatus {
    const elements = this.elements;
    const end = elements.length;
    let next = this.next;
    for (let emitted = 0; emitted < maxRecords && next < end; emitted++) {
      output.collect(elements[next]!);
      next += this.stride;
    }
    this.next = next;
    return next < end ? "more-available" : "end-of-input";
  }

  isAvailable(): Promise<void> {
    return AVAILABLE;
  }
}
