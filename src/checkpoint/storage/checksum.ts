/** The checksum of checkpoint format 1: SHA-256, written as 64 lowercase hex digits. */
import { createHash } from "node:crypto";

export const CHECKSUM_PATTERN = /^[0-9a-f]{64}$/;

export function checksumOf(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Bytes hashed per step of `checksumSteps`: a few milliseconds of SHA-256. */
export const CHECKSUM_STEP_BYTES = 2 << 20;

/**
 * `checksumOf(data)`, computed `stepBytes` at a time: the generator yields between steps and
 * returns the checksum. Hashing a large file at once holds up its thread for as long as it takes
 * (about 100 ms for 40 MB); in steps, whatever else the thread does runs in between.
 */
export function* checksumSteps(data: Uint8Array, stepBytes = CHECKSUM_STEP_BYTES): Generator<void, string, void> {
  const hash = createHash("sha256");
  for (let at = 0; at < data.length; at += stepBytes) {
    if (at > 0) yield;
    hash.update(data.subarray(at, at + stepBytes));
  }
  return hash.digest("hex");
}
