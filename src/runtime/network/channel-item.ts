/**
 * What travels through a channel, in order: batches of records and in-band events. Within one
 * thread a batch is the record array itself; across threads it is the batch's encoded bytes.
 * Records with timestamps travel as a timestamped batch: the records (either form) and a parallel
 * array of their timestamps, NaN for a record without one. Batches of records without timestamps
 * carry no such array, so streams without event time pay nothing for it.
 * Events: checkpoint barriers; watermarks and watermark status (whether the producer is idle, so
 * that the consumer's combined watermark does not wait for it); end of data (the producer emits no
 * more records, but stays alive for the final checkpoint); end of partition (nothing more will
 * come at all).
 */
import type { CheckpointBarrier } from "../barriers/barrier.ts";

export interface EndOfData {
  readonly kind: "end-of-data";
}

export interface EndOfPartition {
  readonly kind: "end-of-partition";
}

export interface WatermarkEvent {
  readonly kind: "watermark";
  readonly timestamp: number;
}

export interface WatermarkStatusEvent {
  readonly kind: "watermark-status";
  readonly idle: boolean;
}

export type ChannelEvent = CheckpointBarrier | WatermarkEvent | WatermarkStatusEvent | EndOfData | EndOfPartition;

export interface TimestampedBatch {
  readonly kind: "timestamped";
  readonly records: unknown[] | Uint8Array;
  /** `timestamps[i]` is the timestamp of `records[i]`; NaN where that record has none. */
  readonly timestamps: Float64Array;
}

export type ChannelItem = unknown[] | Uint8Array | TimestampedBatch | ChannelEvent;

export const END_OF_DATA: EndOfData = { kind: "end-of-data" };
export const END_OF_PARTITION: EndOfPartition = { kind: "end-of-partition" };

export function isBatch(item: ChannelItem): item is unknown[] | Uint8Array | TimestampedBatch {
  return Array.isArray(item) || item instanceof Uint8Array || (item as { kind?: string }).kind === "timestamped";
}
