/**
 * The states a checkpoint holds, per operator, for the compatibility check of a restore
 * (restore-plan.ts): its keyed states as the headers of its keyed state snapshots list them
 * (name, kind, schema version), and its operator states (split list, union list, broadcast) with
 * their schema versions. Reads every state file of the operators asked about.
 */
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../../checkpoint/storage/checkpoint-storage.ts";
import type { StateKind } from "../../state/descriptors.ts";
import { keyedSnapshotStates } from "../../state/heap/heap-snapshot.ts";
import type { OperatorStateKind } from "../../state/operator/operator-state-store.ts";
import { decodeOperatorSnapshot } from "../operator-snapshot.ts";

/** A keyed state of a checkpoint operator: every schema version some subtask wrote it at, ascending. */
export interface StoredState {
  readonly name: string;
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly versions: readonly number[];
}

/** An operator state of a checkpoint operator: every schema version some subtask wrote it at, ascending. */
export interface StoredOperatorState {
  readonly name: string;
  readonly kind: OperatorStateKind;
  readonly versions: readonly number[];
}

/** What a checkpoint operator holds, each list in the order first seen. */
export interface StoredStates {
  readonly keyed: readonly StoredState[];
  readonly operator: readonly StoredOperatorState[];
}

/** States by name, each with the set of versions seen. */
class Seen<S extends { readonly name: string }> {
  private readonly states = new Map<string, { state: S; versions: Set<number> }>();

  add(state: S, version: number): void {
    const seen = this.states.get(state.name);
    if (seen === undefined) this.states.set(state.name, { state, versions: new Set([version]) });
    else seen.versions.add(version);
  }

  list(): (S & { readonly versions: readonly number[] })[] {
    return [...this.states.values()].map(({ state, versions }) => ({ ...state, versions: [...versions].sort((a, b) => a - b) }));
  }
}

/** Per checkpoint operator id, the states it holds; operators that hold none are left out. */
export async function storedStates(metadata: Pick<CheckpointMetadata, "operators">, storage: Pick<CheckpointStorage, "readState">): Promise<Map<string, StoredStates>> {
  const found = new Map<string, StoredStates>();
  for (const operator of metadata.operators) {
    const keyedStates = new Seen<{ name: string; kind: StateKind; namespaced: boolean }>();
    const operatorStates = new Seen<{ name: string; kind: OperatorStateKind }>();
    for (const subtask of operator.subtasks) {
      for (const handle of subtask.state) {
        const from = `operator '${operator.operatorId}' subtask ${subtask.subtask} (${handle.path})`;
        const { keyed, operatorState } = decodeOperatorSnapshot(await storage.readState(handle), from);
        if (keyed !== undefined) for (const { name, kind, namespaced, version } of keyedSnapshotStates(keyed, from)) keyedStates.add({ name, kind, namespaced }, version);
        for (const [name, kind, , version = 1] of operatorState?.lists ?? []) operatorStates.add({ name, kind }, version);
        for (const [name, , version = 1] of operatorState?.broadcast ?? []) operatorStates.add({ name, kind: "broadcast" }, version);
      }
    }
    const states = { keyed: keyedStates.list(), operator: operatorStates.list() };
    if (states.keyed.length > 0 || states.operator.length > 0) found.set(operator.operatorId, states);
  }
  return found;
}
