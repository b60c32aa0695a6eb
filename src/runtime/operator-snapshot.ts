/**
 * The bytes of one operator's state in a checkpoint: its keyed state snapshot (if keyed), its
 * timers, what the operator itself returned (a source position, pending sink transactions), and
 * its operator state (list and broadcast states of its operator state store).
 * MessagePack in structured-clone mode, so Maps, Sets, Dates and bigints survive.
 *
 * Timers and the operator's own state are captured (encoded) in the synchronous phase of a
 * checkpoint, by `captureOperatorState`: an operator may keep changing the object its
 * `snapshotState` returned as soon as that phase ends, and no such change may reach the
 * checkpoint. Keyed state is encoded later, from its copy-on-write snapshot.
 *
 * Format 2: `{ v: 2, keyed, captured }`, where `captured` is the MessagePack of
 * `{ timers, state, operatorState? }`.
 * Format 1 (`{ v: 1, keyed, timers, state }`), written by older versions, is still read.
 */
import { Packr } from "msgpackr";
import { WeirError } from "../core/errors.ts";
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";

const packr = new Packr({ structuredClone: true, useRecords: false });

export interface OperatorSnapshotContent {
  readonly keyed: Uint8Array | undefined;
  readonly timers: readonly TimerEntry[];
  readonly state: unknown;
  readonly operatorState?: OperatorStateSnapshot | undefined;
}

/** Timers and operator state as they are now, encoded: later changes to these objects do not reach the result. */
export type CapturedOperatorState = Uint8Array;

export function captureOperatorState(timers: OperatorSnapshotContent["timers"], state: unknown, operatorState?: OperatorStateSnapshot): CapturedOperatorState {
  return Uint8Array.from(packr.pack(operatorState === undefined ? { timers, state } : { timers, state, operatorState }));
}

export function encodeCapturedSnapshot(keyed: Uint8Array | undefined, captured: CapturedOperatorState): Uint8Array {
  return Uint8Array.from(packr.pack({ v: 2, keyed, captured }));
}

export function encodeOperatorSnapshot(content: OperatorSnapshotContent): Uint8Array {
  return encodeCapturedSnapshot(content.keyed, captureOperatorState(content.timers, content.state, content.operatorState));
}

function unpack<T>(bytes: Uint8Array, where: string): T {
  try {
    return packr.unpack(bytes) as T;
  } catch (e) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function decodeOperatorSnapshot(bytes: Uint8Array, where: string): OperatorSnapshotContent {
  const value = unpack<{ v?: unknown; keyed?: Uint8Array; timers?: TimerEntry[]; state?: unknown; captured?: unknown } | null>(bytes, where);
  if (value !== null && typeof value === "object" && value.v === 2 && value.captured instanceof Uint8Array) {
    const captured = unpack<{ timers?: TimerEntry[]; state?: unknown; operatorState?: OperatorStateSnapshot } | null>(value.captured, where);
    if (captured !== null && typeof captured === "object") {
      return { keyed: value.keyed, timers: captured.timers ?? [], state: captured.state, operatorState: captured.operatorState };
    }
  }
  if (value === null || typeof value !== "object" || value.v !== 1) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} is not in a known format`);
  }
  return { keyed: value.keyed, timers: value.timers ?? [], state: value.state };
}
