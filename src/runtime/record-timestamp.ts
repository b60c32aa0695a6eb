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
export class RecordTimestamp {
  current: number | null = null;
}
