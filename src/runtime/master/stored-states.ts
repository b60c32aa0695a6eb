/**
 * The keyed states a checkpoint holds, per operator, as the headers of its keyed state snapshots
 * list them (name, kind, schema version), for the compatibility check of a restore
 * (restore-plan.ts). Reads every state file of the operators with keyed state.
 */
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../../checkpoint/storage/checkpoint-storage.ts";
import type { StateKind } from "../../state/descriptors.ts";
import { keyedSnapshotStates } from "../../state/heap/heap-snapshot.ts";
import { decodeOperatorSnapshot } from "../operator-snapshot.ts";

/** A keyed state of a checkpoint operator: every schema version some subtask wrote it at, ascending. */
export interface StoredState {
  readonly name: string;
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly versions: readonly number[];
}

/** Per checkpoint operator id, its keyed states in the order first seen. */
export async function storedKeyedStates(metadata: Pick<CheckpointMetadata, "operators">, storage: Pick<CheckpointStorage, "readState">): Promise<Map<string, StoredState[]>> {
  const found = new Map<string, StoredState[]>();
  for (const operator of metadata.operators) {
    const states = new Map<string, { name: string; kind: StateKind; namespaced: boolean; versions: Set<number> }>();
    for (const subtask of operator.subtasks) {
      if (subtask.keyGroupRange === undefined) continue;
      for (const handle of subtask.state) {
        const from = `operator '${operator.operatorId}' subtask ${subtask.subtask} (${handle.path})`;
        const keyed = decodeOperatorSnapshot(await storage.readState(handle), from).keyed;
        if (keyed === undefined) continue;
        for (const { name, kind, namespaced, version } of keyedSnapshotStates(keyed, from)) {
          const seen = states.get(name);
          if (seen === undefined) states.set(name, { name, kind, namespaced, versions: new Set([version]) });
          else seen.versions.add(version);
        }
      }
    }
    if (states.size > 0) found.set(operator.operatorId, [...states.values()].map((s) => ({ ...s, versions: [...s.versions].sort((a, b) => a - b) })));
  }
  return found;
}
