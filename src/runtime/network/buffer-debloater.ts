/**
 * Buffer debloating (Flink's FLIP-183, `taskmanager.network.memory.buffer-debloat.*`): an input
 * gate sizes the batches its producers send so that the records in flight towards it are about
 * what it processes in `targetMs`. A slow receiver then has little queued before it, which keeps
 * aligned barriers quick and unaligned checkpoints small.
 *
 * The gate counts the records it takes; every `periodMs` the count over the elapsed time is one
 * throughput sample, smoothed into an exponential moving average over about `samples` samples.
 * Records in flight are bounded by the batches the channels have credit for (`buffers`, every
 * channel's credits together), so the batch size is `throughput × targetMs / buffers`, kept within
 * `[minBufferSize, maxBufferSize]`. A new size is announced only when it differs from the one
 * announced last by at least `thresholdPercent` (or reaches a bound), so producers do not change
 * their batches on every small swing.
 *
 * Pure: time comes from the injected clock, and the caller announces what `onTime` answers.
 */
import type { Clock } from "../../core/clock.ts";

export interface BufferDebloatSettings {
  /** How long the records in flight should take the receiver to process. */
  readonly targetMs: number;
  /** Batches in flight at once towards the gate: its channels times the credits of each. */
  readonly buffers: number;
  /** The largest batch (the job's buffer size), which producers use until told otherwise. */
  readonly maxBufferSize: number;
  readonly minBufferSize: number;
  /** How often a throughput sample is taken. */
  readonly periodMs: number;
  /** About how many samples the average spans. */
  readonly samples: number;
  /** A change smaller than this share of the announced size (in percent) is not announced. */
  readonly thresholdPercent: number;
}

/** Flink's defaults (period 200 ms, 20 samples, threshold 25 %), and the smallest batch of one record. */
export const BUFFER_DEBLOAT_DEFAULTS = {
  targetMs: 1000,
  minBufferSize: 1,
  periodMs: 200,
  samples: 20,
  thresholdPercent: 25,
} as const;

export class BufferDebloater {
  private taken = 0;
  private periodStart: number;
  /** Records per millisecond, smoothed; undefined before the first sample. */
  private throughput: number | undefined;
  private announced: number;
  private readonly alpha: number;

  constructor(
    private readonly settings: BufferDebloatSettings,
    private readonly clock: Clock,
  ) {
    this.periodStart = clock.now();
    this.announced = settings.maxBufferSize;
    this.alpha = 2 / (settings.samples + 1);
  }

  /** The batch size producers were last told (the maximum before any announcement). */
  get bufferSize(): number {
    return this.announced;
  }

  /** Records per second, as smoothed so far; undefined before the first sample. */
  get recordsPerSecond(): number | undefined {
    return this.throughput === undefined ? undefined : this.throughput * 1000;
  }

  /** The gate took `records` records off its channels. */
  recordsTaken(records: number): void {
    this.taken += records;
  }

  /** Takes a sample once a period passed; answers the batch size to announce, if it changed enough. */
  onTime(): number | undefined {
    const now = this.clock.now();
    const elapsed = now - this.periodStart;
    if (elapsed < this.settings.periodMs) return undefined;
    const sample = this.taken / elapsed;
    this.taken = 0;
    this.periodStart = now;
    this.throughput = this.throughput === undefined ? sample : this.throughput + this.alpha * (sample - this.throughput);
    const { targetMs, buffers, minBufferSize, maxBufferSize, thresholdPercent } = this.settings;
    const desired = Math.min(maxBufferSize, Math.max(minBufferSize, Math.ceil((this.throughput * targetMs) / buffers)));
    if (desired === this.announced) return undefined;
    const atBound = desired === minBufferSize || desired === maxBufferSize;
    if (!atBound && Math.abs(desired - this.announced) * 100 < thresholdPercent * this.announced) return undefined;
    this.announced = desired;
    return desired;
  }
}
