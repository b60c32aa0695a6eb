/**
 * Which checkpoint each attempt of a job restores; the pure decisions, with the storage read at
 * the edge (`restorePointForRestart`).
 *
 * The first attempt restores the checkpoint `--from` named (see restore-point.ts), or nothing. A
 * restart restores the newest checkpoint this run completed; before the first, the checkpoint the
 * run resumed from, wherever it lies (it need not be under this run's checkpoint directory).
 * Never a newer checkpoint on disk from a history the user chose not to resume.
 */
import type { CheckpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { CheckpointStorage } from "../../checkpoint/storage/checkpoint-storage.ts";
import type { RestorePoint } from "./restore-point.ts";

export type RestartRestore =
  | { readonly kind: "nothing" }
  /** The checkpoint the run resumed from, as read when the run started. */
  | { readonly kind: "resumed-from" }
  /** A checkpoint this run completed, in its own storage. */
  | { readonly kind: "completed"; readonly checkpointId: CheckpointId };

export function chooseRestartRestore(latestCompleted: CheckpointId | undefined, resumedFrom: RestorePoint | undefined): RestartRestore {
  if (latestCompleted !== undefined && (resumedFrom === undefined || latestCompleted > resumedFrom.metadata.checkpointId)) {
    return { kind: "completed", checkpointId: latestCompleted };
  }
  return resumedFrom === undefined ? { kind: "nothing" } : { kind: "resumed-from" };
}

/** The layout of a storage's job directory, as far as this module needs it. */
interface StorageLayout {
  readonly paths: { metadataFile(id: CheckpointId): string };
}

/** Whether `point` is a checkpoint of `storage`'s own job directory, where it lies at its id's place. */
export function isInStorage(point: RestorePoint, storage: StorageLayout): boolean {
  return storage.paths.metadataFile(point.metadata.checkpointId) === point.path;
}

export async function restorePointForRestart(
  latestCompleted: CheckpointId | undefined,
  resumedFrom: RestorePoint | undefined,
  storage: Pick<CheckpointStorage, "readMetadata"> & StorageLayout,
): Promise<RestorePoint | undefined> {
  const choice = chooseRestartRestore(latestCompleted, resumedFrom);
  switch (choice.kind) {
    case "nothing":
      return undefined;
    case "resumed-from":
      return resumedFrom;
    case "completed":
      return { path: storage.paths.metadataFile(choice.checkpointId), metadata: await storage.readMetadata(choice.checkpointId) };
  }
}
