/**
 * The checks between a state handle and the file it points to, shared by every storage: a file
 * that is gone, of another length, or of another checksum is reported with its path and the
 * numbers that disagree.
 */
import { checksumOf } from "./checksum.ts";
import type { InlineStateHandle, StateHandle } from "./checkpoint-metadata.ts";
import { CheckpointCorruptError, StateFileMissingError } from "./checkpoint-storage-errors.ts";

function missing(handle: StateHandle): StateFileMissingError {
  return new StateFileMissingError(handle.path, `state file ${handle.path} is missing (the checkpoint references ${handle.bytes} bytes there)`);
}

/** Throws unless a file of the handle's length exists; `size` is undefined for a missing file. */
export function checkStateFilePresent(handle: StateHandle, size: number | undefined): void {
  if (size === undefined) throw missing(handle);
  if (size !== handle.bytes) {
    throw new CheckpointCorruptError(
      handle.path,
      "size",
      `state file ${handle.path} is corrupt: it has ${size} bytes, the checkpoint recorded ${handle.bytes}${size < handle.bytes ? " (truncated)" : ""}`,
    );
  }
}

/** Returns `content` if it is exactly what the handle recorded; throws otherwise (undefined: a missing file). */
export function checkStateFileContent(handle: StateHandle, content: Uint8Array | undefined): Uint8Array {
  if (content === undefined) throw missing(handle);
  checkStateFilePresent(handle, content.length);
  const actual = checksumOf(content);
  if (actual !== handle.checksum) {
    throw new CheckpointCorruptError(
      handle.path,
      "checksum",
      `state file ${handle.path} is corrupt: its checksum is ${actual}, the checkpoint recorded ${handle.checksum}`,
    );
  }
  return content;
}

/**
 * The bytes an inline handle carries (see `StateHandle.inline`), checked against its length and
 * checksum as a file's are: `_metadata` has a checksum of its own, so a mismatch here means the
 * handle was changed after it was decoded or built by hand.
 */
export function inlineStateContent(handle: InlineStateHandle): Uint8Array {
  const buffer = Buffer.from(handle.inline, "base64");
  const content = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const actual = checksumOf(content);
  if (content.length !== handle.bytes || actual !== handle.checksum) {
    throw new CheckpointCorruptError(
      handle.path,
      content.length !== handle.bytes ? "size" : "checksum",
      `state ${handle.path}, kept inside the checkpoint's _metadata, is corrupt: it has ${content.length} bytes with checksum ${actual}, the checkpoint recorded ${handle.bytes} bytes with checksum ${handle.checksum}`,
    );
  }
  return content;
}
