/**
 * What a `--from` pointer names: a pure decision over what the storage found at the path. The
 * storage gathers the facts, this decides, the storage reads or raises.
 */
import { basename, dirname, join } from "node:path";
import type { CheckpointId } from "./checkpoint-id.ts";
import { checkpointDirName, isMetadataFileName, metadataFileIn, parseCheckpointDirName } from "./checkpoint-paths.ts";

/** A `chk-<n>` directory found inside the pointed-at directory. */
export interface ChildCheckpointFacts {
  readonly checkpointId: CheckpointId;
  readonly hasMetadata: boolean;
}

export type PointerFacts =
  | { readonly kind: "missing" }
  | { readonly kind: "file" }
  | { readonly kind: "directory"; readonly hasMetadata: boolean; readonly checkpoints: readonly ChildCheckpointFacts[] };

export type PointerResolution =
  /** Read this `_metadata`; when it lies in a `chk-<n>` directory, it must describe checkpoint n. */
  | { readonly kind: "read-metadata"; readonly metadataPath: string; readonly checkpointId: CheckpointId | undefined }
  | { readonly kind: "not-found"; readonly path: string; readonly message: string }
  | { readonly kind: "incomplete"; readonly path: string; readonly checkpointId: CheckpointId | undefined; readonly message: string };

function incompleteCheckpoint(dir: string, id: CheckpointId): PointerResolution {
  return {
    kind: "incomplete",
    path: dir,
    checkpointId: id,
    message: `checkpoint ${id} at ${dir} is incomplete: it has no _metadata file, so it never completed`,
  };
}

export function resolvePointer(path: string, facts: PointerFacts): PointerResolution {
  if (facts.kind === "missing") return { kind: "not-found", path, message: `no checkpoint at ${path}: nothing is there` };
  if (facts.kind === "file") {
    if (isMetadataFileName(basename(path))) {
      return { kind: "read-metadata", metadataPath: path, checkpointId: parseCheckpointDirName(basename(dirname(path))) };
    }
    return { kind: "not-found", path, message: `no checkpoint at ${path}: it is a file, but not a _metadata file` };
  }
  const ownId = parseCheckpointDirName(basename(path));
  if (facts.hasMetadata) return { kind: "read-metadata", metadataPath: metadataFileIn(path), checkpointId: ownId };
  if (ownId !== undefined) return incompleteCheckpoint(path, ownId);
  const newestFirst = [...facts.checkpoints].sort((a, b) => b.checkpointId - a.checkpointId);
  const complete = newestFirst.find((c) => c.hasMetadata);
  if (complete !== undefined) {
    return {
      kind: "read-metadata",
      metadataPath: metadataFileIn(join(path, checkpointDirName(complete.checkpointId))),
      checkpointId: complete.checkpointId,
    };
  }
  const newest = newestFirst[0];
  if (newest !== undefined) {
    const names = newestFirst.map((c) => checkpointDirName(c.checkpointId)).reverse().join(", ");
    return {
      kind: "incomplete",
      path: join(path, checkpointDirName(newest.checkpointId)),
      checkpointId: newest.checkpointId,
      message: `no complete checkpoint under ${path}: ${names} ${newestFirst.length === 1 ? "has" : "have"} no _metadata file`,
    };
  }
  return { kind: "not-found", path, message: `no checkpoint under ${path}: it holds no _metadata file and no chk-<n> directory` };
}
