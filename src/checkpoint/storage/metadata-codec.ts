/**
 * The bytes of a `_metadata` file. Format 1 is a UTF-8 JSON document:
 *
 *   { "format": "weir-checkpoint-metadata",
 *     "checksum": "<SHA-256 of JSON.stringify(metadata), 64 hex digits>",
 *     "metadata": { "formatVersion": 1, "jobId": …, "checkpointId": …, … } }
 *
 * The checksum covers the compact JSON text of `metadata`, so reformatting the file keeps it
 * valid and any change of content does not. Decoding checks, in order: JSON, envelope, format
 * version (another number is WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION, not corruption), checksum, structure (`checkMetadata`), and the checkpoint id the caller expects.
 */
import { invalidArgument } from "../../core/errors.ts";
import { checksumOf } from "./checksum.ts";
import type { CheckpointId } from "./checkpoint-id.ts";
import { CHECKPOINT_FORMAT_VERSION, checkMetadata, type CheckpointMetadata } from "./checkpoint-metadata.ts";
import { CheckpointCorruptError, IncompatibleFormatVersionError } from "./checkpoint-storage-errors.ts";

export const METADATA_FORMAT_MARKER = "weir-checkpoint-metadata";

/** The file content for `metadata`; a structural problem is WEIR_ERR_INVALID_ARGUMENT naming the field. */
export function encodeMetadata(metadata: CheckpointMetadata): Uint8Array {
  const check = checkMetadata(metadata);
  if (!check.ok) throw invalidArgument(`checkpoint metadata field ${check.field}: ${check.problem}`);
  const normalized = JSON.parse(JSON.stringify(metadata)) as CheckpointMetadata;
  const envelope = { format: METADATA_FORMAT_MARKER, checksum: checksumOf(JSON.stringify(normalized)), metadata: normalized };
  return new TextEncoder().encode(`${JSON.stringify(envelope, null, 2)}\n`);
}

/**
 * The metadata in `bytes`, read from `path`. Anything wrong is a CheckpointCorruptError naming
 * `path` and the problem; with `expectedId`, metadata of another checkpoint is `wrong-checkpoint`.
 */
export function decodeMetadata(bytes: Uint8Array, path: string, expectedId?: CheckpointId): CheckpointMetadata {
  const corrupt = (reason: ConstructorParameters<typeof CheckpointCorruptError>[1], what: string, field?: string) =>
    new CheckpointCorruptError(path, reason, `checkpoint metadata ${path} is corrupt: ${what}`, field);
  if (bytes.length === 0) throw corrupt("unparseable", "the file is empty");
  let envelope: unknown;
  try {
    envelope = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw corrupt("unparseable", `it is not valid JSON, perhaps truncated (${bytes.length} bytes; ${reason})`);
  }
  if (envelope === null || typeof envelope !== "object" || Array.isArray(envelope)) {
    throw corrupt("not-metadata", "it is JSON but not an object");
  }
  const fields = envelope as Record<string, unknown>;
  if (fields.format !== METADATA_FORMAT_MARKER) throw corrupt("not-metadata", `its "format" is not "${METADATA_FORMAT_MARKER}"`);
  const metadata = fields.metadata;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw corrupt("not-metadata", 'its "metadata" is not an object');
  }
  const version = (metadata as Record<string, unknown>).formatVersion;
  if (typeof version === "number" && version !== CHECKPOINT_FORMAT_VERSION) {
    throw new IncompatibleFormatVersionError(
      path,
      version,
      `checkpoint metadata ${path} has format version ${version}; this Weir reads version ${CHECKPOINT_FORMAT_VERSION} only: restore it with the Weir version that wrote it`,
    );
  }
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupt("format-version", `format version ${JSON.stringify(version) ?? "(none)"} is not ${CHECKPOINT_FORMAT_VERSION}, the version this Weir reads`);
  }
  const actual = checksumOf(JSON.stringify(metadata));
  if (fields.checksum !== actual) {
    throw corrupt("checksum", `the metadata has checksum ${actual} but the file records ${JSON.stringify(fields.checksum) ?? "none"}`);
  }
  const check = checkMetadata(metadata);
  if (!check.ok) throw corrupt("invalid-field", `field ${check.field}: ${check.problem}`, check.field);
  if (expectedId !== undefined && check.metadata.checkpointId !== expectedId) {
    throw corrupt("wrong-checkpoint", `it describes checkpoint ${check.metadata.checkpointId}, not ${expectedId}`);
  }
  return check.metadata;
}
