/** The checksum of checkpoint format 1: SHA-256, written as 64 lowercase hex digits. */
import { createHash } from "node:crypto";

export const CHECKSUM_PATTERN = /^[0-9a-f]{64}$/;

export function checksumOf(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
