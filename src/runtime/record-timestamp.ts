/**
 * The timestamp of the record a task is handling: set by the task for each record it takes from
 * its input (null when the record has none), read by operators (`ctx.timestamp()`) and by the
 * record writers that send records on. One instance per task, shared by its chained operators:
 * a record an operator emits carries the timestamp of the record it is processing.
 *
 * Contract: whoever changes `current` to emit records with another timestamp (a timestamp
 * assigner, a firing timer) restores the previous value before returning, so the operator that
 * called it still emits with its own record's timestamp.
 */
import type { SplitTag } from "../sources/split-source.ts";

export class RecordTimestamp implements SplitTag {
  /**
   * The timestamp, NaN when the record has none. The field only ever holds numbers, so V8 keeps
   * it as a double changed in place: a `number | null` field would box every timestamp (they are
   * beyond small integers) in a new heap number, per record and operator. Hot paths read and
   * write it; `current` is the same value with null for none.
   */
  at = Number.NaN;

  get current(): number | null {
    const t = this.at;
    return t === t ? t : null;
  }

  set current(timestamp: number | null) {
    this.at = timestamp ?? Number.NaN;
  }
  /**
   * The source split of the record being handled, set by that split's output
   * (ReaderOutput.createOutputForSplit) while it hands the record on, so that the watermark
   * operator chained after the source keeps a watermark generator per split. That operator clears
   * it for the operators after it. Undefined for records of no split.
   */
  split: string | undefined = undefined;
  /** Set by that watermark operator when it opens: a split's output was released, its generator goes. */
  onSplitReleased: ((splitId: string) => void) | undefined = undefined;
}
