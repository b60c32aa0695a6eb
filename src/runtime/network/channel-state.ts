/**
 * The channel state of an unaligned checkpoint: the records a task's checkpoint overtook, kept
 * with the task's state so a restore replays them. Input channel state holds, per input channel,
 * the batches the task had received before the channel's barrier but not yet processed when it
 * snapshotted; output channel state holds, per output channel, the batches waiting for credit
 * that the barrier overtook. Each batch keeps its records encoded by the batch codec and its
 * timestamps, in channel order.
 *
 * Format 1: MessagePack of `{ v: 1, inputs: [[channel, batches]], outputs: [[writer, channel, batches]] }`,
 * where a batch is `[records]` or `[records, timestamps]`. Channels are numbered as the restoring
 * task numbers them, which is why such a state only restores at the parallelism it was taken at.
 */
import { Packr } from "msgpackr";
import { WeirError } from "../../core/errors.ts";
import type { BatchCodec } from "./batch-codec.ts";
import { isBatch, type ChannelItem } from "./channel-item.ts";

export interface InFlightBatch {
  /** The batch's records, encoded by the batch codec (owned: never transferred or reused). */
  readonly records: Uint8Array;
  readonly timestamps?: Float64Array;
}

export interface InputChannelState {
  /** The channel's position in the task's input gate. */
  readonly channel: number;
  readonly batches: readonly InFlightBatch[];
}

export interface OutputChannelState {
  /** The record writer (output edge) and the channel's position in it. */
  readonly writer: number;
  readonly channel: number;
  readonly batches: readonly InFlightBatch[];
}

export interface ChannelState {
  readonly inputs: readonly InputChannelState[];
  readonly outputs: readonly OutputChannelState[];
}

export const NO_CHANNEL_STATE: ChannelState = { inputs: [], outputs: [] };

const packr = new Packr({ useRecords: false });

/** A copy of `item`'s records (a batch), encoded, which nothing done to the records afterwards changes. */
export function captureBatch(item: ChannelItem, codec: BatchCodec): InFlightBatch | undefined {
  if (!isBatch(item)) return undefined;
  const timestamped = !Array.isArray(item) && !(item instanceof Uint8Array);
  const records = timestamped ? item.records : item;
  const bytes = records instanceof Uint8Array ? records.slice() : codec.encode(records);
  return timestamped ? { records: bytes, timestamps: item.timestamps.slice() } : { records: bytes };
}

/** The channel item that replays `batch`. */
export function batchItem(batch: InFlightBatch): ChannelItem {
  return batch.timestamps === undefined ? batch.records : { kind: "timestamped", records: batch.records, timestamps: batch.timestamps };
}

/** The bytes of in-flight records the state holds. */
export function inFlightBytes(state: ChannelState): number {
  let bytes = 0;
  for (const c of [...state.inputs, ...state.outputs]) for (const b of c.batches) bytes += b.records.byteLength + (b.timestamps?.byteLength ?? 0);
  return bytes;
}

export function isEmptyChannelState(state: ChannelState): boolean {
  return state.inputs.every((c) => c.batches.length === 0) && state.outputs.every((c) => c.batches.length === 0);
}

type EncodedBatch = [Uint8Array] | [Uint8Array, Uint8Array];

const encodeBatches = (batches: readonly InFlightBatch[]): EncodedBatch[] =>
  batches.map((b) => (b.timestamps === undefined ? [b.records] : [b.records, new Uint8Array(b.timestamps.buffer, b.timestamps.byteOffset, b.timestamps.byteLength)]));

export function encodeChannelState(state: ChannelState): Uint8Array {
  return Uint8Array.from(
    packr.pack({
      v: 1,
      inputs: state.inputs.filter((c) => c.batches.length > 0).map((c) => [c.channel, encodeBatches(c.batches)]),
      outputs: state.outputs.filter((c) => c.batches.length > 0).map((c) => [c.writer, c.channel, encodeBatches(c.batches)]),
    }),
  );
}

function decodeBatches(value: unknown, where: string): InFlightBatch[] {
  if (!Array.isArray(value)) throw corrupt(where, "a channel's batches are not a list");
  return value.map((b: unknown) => {
    if (!Array.isArray(b) || !(b[0] instanceof Uint8Array) || (b.length > 1 && !(b[1] instanceof Uint8Array))) throw corrupt(where, "a batch is not [records, timestamps?]");
    const records = b[0].slice();
    if (b.length === 1) return { records };
    const stamps = (b[1] as Uint8Array).slice();
    return { records, timestamps: new Float64Array(stamps.buffer, 0, stamps.byteLength / 8) };
  });
}

/** `where` names the operator and file, for WEIR_ERR_STATE_CORRUPT. */
export function decodeChannelState(bytes: Uint8Array, where: string): ChannelState {
  let value: { v?: unknown; inputs?: unknown; outputs?: unknown } | null;
  try {
    value = packr.unpack(bytes) as typeof value;
  } catch (e) {
    throw corrupt(where, e instanceof Error ? e.message : String(e));
  }
  if (value === null || typeof value !== "object" || value.v !== 1 || !Array.isArray(value.inputs) || !Array.isArray(value.outputs)) {
    throw corrupt(where, "not in a known format");
  }
  return {
    inputs: value.inputs.map((c: unknown) => {
      if (!Array.isArray(c) || typeof c[0] !== "number") throw corrupt(where, "an input channel entry is not [channel, batches]");
      return { channel: c[0], batches: decodeBatches(c[1], where) };
    }),
    outputs: value.outputs.map((c: unknown) => {
      if (!Array.isArray(c) || typeof c[0] !== "number" || typeof c[1] !== "number") throw corrupt(where, "an output channel entry is not [writer, channel, batches]");
      return { writer: c[0], channel: c[1], batches: decodeBatches(c[2], where) };
    }),
  };
}

function corrupt(where: string, problem: string): WeirError {
  return new WeirError("WEIR_ERR_STATE_CORRUPT", `channel state of ${where} cannot be decoded: ${problem}`);
}
