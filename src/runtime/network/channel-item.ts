/**
 * What travels through a channel, in order: batches of records and in-band events. Within one
 * thread a batch is the record array itself; across threads it is the batch's encoded bytes.
 * Events: checkpoint barriers; end of data (the producer emits no more records, but stays alive
 * for the final checkpoint); end of partition (nothing more will come at all).
 */
import type { CheckpointBarrier } from "../barriers/barrier.ts";

export interface EndOfData {
  readonly kind: "end-of-data";
}

export interface EndOfPartition {
  readonly kind: "end-of-partition";
}

export type ChannelEvent = CheckpointBarrier | EndOfData | EndOfPartition;

export type ChannelItem = unknown[] | Uint8Array | ChannelEvent;

export const END_OF_DATA: EndOfData = { kind: "end-of-data" };
export const END_OF_PARTITION: EndOfPartition = { kind: "end-of-partition" };

export function isBatch(item: ChannelItem): item is unknown[] | Uint8Array {
  return Array.isArray(item) || item instanceof Uint8Array;
}
