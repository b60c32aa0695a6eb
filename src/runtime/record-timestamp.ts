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
  current: number | null = null;
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
