/** Checkpoint ids: the number a checkpoint is known by, from 1 upwards, never reused within a job. */
import { invalidArgument } from "../../core/errors.ts";

declare const brand: unique symbol;

/** A positive safe integer naming one checkpoint of a job; a later checkpoint has a larger id. */
export type CheckpointId = number & { readonly [brand]: "CheckpointId" };

export function isCheckpointId(n: unknown): n is CheckpointId {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 1;
}

/** `n` as a checkpoint id; anything but a positive safe integer is WEIR_ERR_INVALID_ARGUMENT. */
export function checkpointId(n: number): CheckpointId {
  if (!isCheckpointId(n)) throw invalidArgument(`a checkpoint id is a positive safe integer, got ${String(n)}`);
  return n;
}
