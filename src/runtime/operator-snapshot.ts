/**
 * The bytes of one operator's state in a checkpoint: its keyed state snapshot (if keyed), its
 * timers, what the operator itself returned (a source position, pending sink transactions), and
 * its operator state (list and broadcast states of its operator state store).
 *
 * Timers and the operator's own state are captured (encoded) in the synchronous phase of a
 * checkpoint, by `captureOperatorState`: an operator may keep changing the object its
 * `snapshotState` returned as soon as that phase ends, and no such change may reach the
 * checkpoint. Keyed state is encoded later, from its copy-on-write snapshot.
 *
 * Format 4 (the head operator of a task whose unaligned checkpoint held records in flight):
 * format 3 with `channels`, the task's channel state (network/channel-state.ts).
 * Format 3: `{ v: 3, keyed, captured }` in MessagePack, where `captured` is
 * `{ timers, state, operatorState? }` written by the value codec (core/value-codec.ts): it reads
 * back as structuredClone would copy it, and a part that cannot be written fails the capture,
 * naming the operator and the path.
 * Formats 2 (`{ v: 2, keyed, captured }`, `captured` in msgpackr's structured-clone mode) and
 * 1 (`{ v: 1, keyed, timers, state }`), written by older versions, are still read.
 */
import { Packr } from "msgpackr";
import { WeirError } from "../core/errors.ts";
import { decodeValue, encodeValue } from "../core/value-codec.ts";
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";

/** Writes the envelope (a version and two byte arrays); reads it and formats 1 and 2. */
const packr = new Packr({ structuredClone: true, useRecords: false });

export interface OperatorSnapshotContent {
  readonly keyed: Uint8Array | undefined;
  readonly timers: readonly TimerEntry[];
  readonly state: unknown;
  readonly operatorState?: OperatorStateSnapshot | undefined;
  /** The encoded channel state of the operator's task, when it is the task's head and had records in flight. */
  readonly channels?: Uint8Array | undefined;
}

/** Timers and operator state as they are now, encoded: later changes to these objects do not reach the result. */
export type CapturedOperatorState = Uint8Array;

/** `operator` names the operator in WEIR_ERR_VALUE_NOT_SERIALIZABLE. */
export function captureOperatorState(timers: OperatorSnapshotContent["timers"], state: unknown, operatorState?: OperatorStateSnapshot, operator = "an operator"): CapturedOperatorState {
  return encodeValue(operatorState === undefined ? { timers, state } : { timers, state, operatorState }, () => `the state of ${operator} (its timers, what snapshotState returned, its operator state)`);
}

export function encodeCapturedSnapshot(keyed: Uint8Array | undefined, captured: CapturedOperatorState, channels?: Uint8Array): Uint8Array {
  if (keyed !== undefined && channels === undefined) return keyedEnvelope(keyed, captured);
  return Uint8Array.from(packr.pack(channels === undefined ? { v: 3, keyed, captured } : { v: 4, keyed, captured, channels }));
}

const ASCII = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
/** `{ v: 3, keyed: <bin 32 header>` in MessagePack, the keyed bytes' length to follow. */
const KEYED_HEAD = [0x83, 0xa1, ...ASCII("v"), 0x03, 0xa5, ...ASCII("keyed"), 0xc6];
/** `captured: <bin 32 header>`, its length to follow. */
const CAPTURED_HEAD = [0xa8, ...ASCII("captured"), 0xc6];

/**
 * Format 3 with keyed state, as MessagePack with both byte arrays as bin 32, written into one
 * buffer of the final size: the keyed bytes of a large state are copied once, where a packer
 * grows its buffer as it goes and copies them again.
 */
function keyedEnvelope(keyed: Uint8Array, captured: Uint8Array): Uint8Array {
  const out = new Uint8Array(KEYED_HEAD.length + 4 + keyed.length + CAPTURED_HEAD.length + 4 + captured.length);
  const view = new DataView(out.buffer);
  let at = 0;
  out.set(KEYED_HEAD, at);
  view.setUint32((at += KEYED_HEAD.length), keyed.length);
  out.set(keyed, (at += 4));
  out.set(CAPTURED_HEAD, (at += keyed.length));
  view.setUint32((at += CAPTURED_HEAD.length), captured.length);
  out.set(captured, at + 4);
  return out;
}

export function encodeOperatorSnapshot(content: OperatorSnapshotContent, operator?: string): Uint8Array {
  return encodeCapturedSnapshot(content.keyed, captureOperatorState(content.timers, content.state, content.operatorState, operator));
}

function unpack<T>(bytes: Uint8Array, where: string): T {
  try {
    return packr.unpack(bytes) as T;
  } catch (e) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} cannot be decoded: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

type Captured = { timers?: TimerEntry[]; state?: unknown; operatorState?: OperatorStateSnapshot } | null;

/** `where` names the operator and the file, for WEIR_ERR_STATE_CORRUPT. */
export function decodeOperatorSnapshot(bytes: Uint8Array, where: string): OperatorSnapshotContent {
  const value = unpack<{ v?: unknown; keyed?: Uint8Array; timers?: TimerEntry[]; state?: unknown; captured?: unknown; channels?: unknown } | null>(bytes, where);
  if (value !== null && typeof value === "object" && (value.v === 2 || value.v === 3 || value.v === 4) && value.captured instanceof Uint8Array) {
    const captured = value.v === 2 ? unpack<Captured>(value.captured, where) : (decodeValue(value.captured, `state of ${where}`) as Captured);
    if (captured !== null && typeof captured === "object" && (value.v !== 4 || value.channels instanceof Uint8Array)) {
      const content = { keyed: value.keyed, timers: captured.timers ?? [], state: captured.state, operatorState: captured.operatorState };
      return value.v === 4 ? { ...content, channels: value.channels as Uint8Array } : content;
    }
  }
  if (value === null || typeof value !== "object" || value.v !== 1) {
    throw new WeirError("WEIR_ERR_STATE_CORRUPT", `state of ${where} is not in a known format`);
  }
  return { keyed: value.keyed, timers: value.timers ?? [], state: value.state };
}
