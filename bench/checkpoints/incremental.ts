/**
 * Incremental checkpoints against state size: the keyed-state job with incremental checkpoints
 * on, filled with `keys` keys, then updating random keys at the rate that changes `churn` of them
 * per checkpoint interval. Each row gives the bytes a checkpoint writes (median, the own file and
 * the changes; bases materialised in the background are counted apart) beside the full snapshot's
 * size and the encoded size of the entries that changed, with the checkpoint durations of that run.
 */
import type { DurationRow, DurationSettings } from "./duration.ts";
import { measureDuration } from "./duration.ts";

export interface IncrementalRow {
  readonly keys: number;
  /** Fraction of the keys updated per checkpoint interval. */
  readonly churn: number;
  /** Median bytes written per checkpoint, over all tasks. */
  readonly bytesPerCheckpoint: number;
  /** Bytes of a full checkpoint of the same state (the full-snapshot run's median). */
  readonly fullBytes: number;
  /** Encoded size of the entries updated per interval: the full snapshot's bytes per key times the keys updated. */
  readonly changedEntryBytes: number;
  /** bytesPerCheckpoint / changedEntryBytes (target <= 3). */
  readonly ratioToChanged: number;
  /** The checkpoint durations of the run with incremental checkpoints. */
  readonly duration: DurationRow;
}

/** `fullBytes`: what a full checkpoint of `keys` keys writes (from the full-snapshot duration run). */
export async function measureIncremental(keys: number, churn: number, fullBytes: number, settings: DurationSettings): Promise<IncrementalRow> {
  const updatesPerSecond = Math.max(1, Math.round((keys * churn * 1000) / settings.intervalMs));
  const duration = await measureDuration(keys, { ...settings, updatesPerSecond, incrementalCheckpoints: true });
  const changedEntryBytes = Math.round((fullBytes / keys) * keys * churn);
  return {
    keys,
    churn,
    bytesPerCheckpoint: duration.bytes,
    fullBytes,
    changedEntryBytes,
    ratioToChanged: Number((duration.bytes / changedEntryBytes).toFixed(2)),
    duration,
  };
}
