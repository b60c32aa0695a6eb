/**
 * What travels through a channel, in order: batches of records and in-band events. Within one
 * thread a batch is the record array itself; across threads it is the batch's encoded bytes.
 */

export interface EndOfPartition {
  readonly kind: "end-of-partition";
}

export type ChannelEvent = EndOfPartition;

export type ChannelItem = unknown[] | Uint8Array | ChannelEvent;

export const END_OF_PARTITION: EndOfPartition = { kind: "end-of-partition" };

export function isBatch(item: ChannelItem): item is unknown[] | Uint8Array {
  return Array.isArray(item) || item instanceof Uint8Array;
}
