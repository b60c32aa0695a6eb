/** Builders and assertions shared by the checkpoint storage tests. */
import assert from "node:assert/strict";
import { WeirError, type ErrorCode } from "../../../src/core/errors.ts";
import { checkpointId, type CheckpointId } from "../../../src/checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata, StateHandle } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../../../src/checkpoint/storage/checkpoint-storage.ts";
import { CheckpointStorageError } from "../../../src/checkpoint/storage/checkpoint-storage-errors.ts";

export const id = (n: number): CheckpointId => checkpointId(n);

export const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Metadata of one keyed operator of parallelism 2 whose subtasks hold `handles[0]` and `handles[1]`. */
export function metadataWith(jobId: string, n: number, handles: readonly (readonly StateHandle[])[] = [[], []]): CheckpointMetadata {
  return {
    formatVersion: 1,
    jobId,
    checkpointId: id(n),
    triggeredAt: 1_000 * n,
    completedAt: 1_000 * n + 250,
    jobFingerprint: "fingerprint-1",
    operators: [
      {
        operatorId: "counts",
        parallelism: 2,
        maxParallelism: 128,
        subtasks: handles.map((state, subtask) => ({
          subtask,
          state,
          keyGroupRange: subtask === 0 ? { start: 0, end: 63 } : { start: 64, end: 127 },
        })),
      },
    ],
    properties: { sourceOffsets: [3, 7], note: "written by a test" },
  };
}

/** Writes one state file per subtask of `metadataWith` and completes checkpoint `n`. */
export async function completeCheckpoint(storage: CheckpointStorage, n: number): Promise<CheckpointMetadata> {
  const first = await storage.writeState(id(n), { operatorId: "counts", subtask: 0 }, bytesOf(`state of subtask 0 in checkpoint ${n}`));
  const second = await storage.writeState(id(n), { operatorId: "counts", subtask: 1 }, bytesOf(`subtask 1, checkpoint ${n}`));
  const metadata = metadataWith(storage.jobId, n, [[first], [second]]);
  await storage.writeMetadata(metadata);
  return metadata;
}

/** Writes a state file for checkpoint `n` and no metadata: a checkpoint in progress, or abandoned. */
export async function startCheckpoint(storage: CheckpointStorage, n: number): Promise<StateHandle> {
  return storage.writeState(id(n), { operatorId: "counts", subtask: 0 }, bytesOf(`unfinished ${n}`));
}

/**
 * An `assert.rejects` / `assert.throws` matcher: a CheckpointStorageError (or, for
 * WEIR_ERR_INVALID_ARGUMENT, a WeirError) with `code`, whose message contains every fragment.
 */
export function storageError(code: ErrorCode, ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WeirError, `expected a WeirError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (code !== "WEIR_ERR_INVALID_ARGUMENT") assert.ok(error instanceof CheckpointStorageError, `expected a CheckpointStorageError, got ${error.name}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `'${error.message}' should mention '${fragment}'`);
    return true;
  };
}
