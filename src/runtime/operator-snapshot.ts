/**
 * The bytes of one operator's state in a checkpoint: its keyed state snapshot (if keyed), its
 * timers, and what the operator itself returned (a source position, pending sink transactions).
 * MessagePack in structured-clone mode, so Maps, Sets, Dates and bigints survive.
 */
import { Packr } from "msgpackr";
import { WeirError } from "../core/errors.ts";

const packr = new Packr({ structuredClone: true, useRecords: false });

export interface OperatorSnapshotContent {
  readonly keyed: Uint8Array | undefined;
  readonly timers: readonly (readonly [number, unknown])[];
  readonly state: unknown;
}

export function encodeOperatorSnapshot(content: OperatorSnapshotContent): Uint8Array {
  return Uint8Array.from(packr.pack({ v: 1, keyed: content.keyed, timers: content.timers, state: content.state }));
}

export function decodeOperatorSnapshot(bytes: Uint8Array, where: string): OperatorSnapshotContent {
  let value: { v?: unknown; keyed?: Uint8Array; timers?: [number, unknown][]; state?: unknown };
  try {
    value = packr.unpack(bytes) as typeof value;
  } catch (e) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (value === null || typeof value !== "object" || value.v !== 1) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} is not in a known format`);
  }
  return { keyed: value.keyed, timers: value.timers ?? [], state: value.state };
}
