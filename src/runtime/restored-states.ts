/**
 * Reads the state a checkpoint holds for the operator subtasks a thread runs, before its tasks
 * are built, so that building them can stay synchronous. A subtask whose operator the checkpoint
 * has no state for starts empty.
 *
 * Operator state (list and broadcast states) is redistributed over the subtasks of the restoring
 * job (operator-state-repartitioner.ts): when a subtask's own state holds some, or the restoring
 * parallelism differs from the checkpoint's, the state every subtask of that operator wrote is
 * read (once per operator) and this subtask gets its part.
 */
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { CheckpointMetadata } from "../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../checkpoint/storage/checkpoint-storage.ts";
import { operatorIdOf, type JobGraph } from "../graph/job-graph.ts";
import { repartitionOperatorState } from "../state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";
import { decodeOperatorSnapshot, type OperatorSnapshotContent } from "./operator-snapshot.ts";
import type { RestoredOperatorState } from "./task-checkpointing.ts";

export type RestoredStateLookup = (operatorId: string, subtask: number) => RestoredOperatorState | undefined;

export const NOTHING_RESTORED: RestoredStateLookup = () => undefined;

const key = (operatorId: string, subtask: number): string => `${subtask}\u0000${operatorId}`;

/** Every operator subtask of `slots` in the job, with the operator's parallelism. */
export function operatorSubtasks(job: JobGraph, slots: readonly number[]): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const vertex of job.vertices) {
    for (const slot of slots) if (slot < vertex.parallelism) for (const node of vertex.nodes) out.push([operatorIdOf(node), slot, vertex.parallelism]);
  }
  return out;
}

type SubtaskEntry = CheckpointMetadata["operators"][number]["subtasks"][number];

/** A state file's content and what it is (operator, subtask, file), for errors. */
type DecodedContent = OperatorSnapshotContent & { readonly from: string };

/**
 * `wanted` lists [operator id, subtask, parallelism of the restoring operator]; without a
 * parallelism, the operator's parallelism in the checkpoint is taken.
 */
export async function loadRestoredStates(
  metadata: CheckpointMetadata,
  storage: Pick<CheckpointStorage, "readState">,
  wanted: Iterable<readonly [operatorId: string, subtask: number, parallelism?: number]>,
): Promise<RestoredStateLookup> {
  const byOperator = new Map(metadata.operators.map((o) => [o.operatorId, o]));
  const loaded = new Map<string, RestoredOperatorState>();
  /** Each subtask's files read and decoded once, though both its own restore and operator-state redistribution need them. */
  const reads = new Map<string, Promise<DecodedContent[]>>();
  const read = (operatorId: string, entry: SubtaskEntry): Promise<DecodedContent[]> => {
    const readKey = key(operatorId, entry.subtask);
    let contents = reads.get(readKey);
    if (contents === undefined) reads.set(readKey, (contents = decodeAll(operatorId, entry)));
    return contents;
  };
  const decodeAll = async (operatorId: string, entry: SubtaskEntry): Promise<DecodedContent[]> => {
    const contents: DecodedContent[] = [];
    for (const handle of entry.state) {
      const from = `operator '${operatorId}' subtask ${entry.subtask} (${handle.path})`;
      contents.push({ ...decodeOperatorSnapshot(await storage.readState(handle), from), from });
    }
    return contents;
  };
  /** Per operator id and restoring parallelism, each subtask's part of the operator state. */
  const redistributed = new Map<string, OperatorStateSnapshot[]>();
  const operatorStatePart = async (operatorId: string, subtask: number, parallelism: number): Promise<OperatorStateSnapshot | undefined> => {
    const cacheKey = key(operatorId, parallelism);
    let parts = redistributed.get(cacheKey);
    if (parts === undefined) {
      const operator = byOperator.get(operatorId)!;
      const previous: (OperatorStateSnapshot | undefined)[] = new Array<OperatorStateSnapshot | undefined>(operator.parallelism).fill(undefined);
      for (const entry of operator.subtasks) previous[entry.subtask] = lastOperatorState(await read(operatorId, entry));
      parts = repartitionOperatorState(previous, parallelism);
      redistributed.set(cacheKey, parts);
    }
    return parts[subtask];
  };
  for (const [operatorId, subtask, parallelism] of wanted) {
    const operator = byOperator.get(operatorId);
    const entry = operator?.subtasks.find((s) => s.subtask === subtask);
    if (entry === undefined || entry.state.length === 0) {
      // At another parallelism a subtask that wrote nothing (or did not exist) still gets its part of the operator state.
      if (operator === undefined || parallelism === undefined || parallelism === operator.parallelism) continue;
      const operatorState = await operatorStatePart(operatorId, subtask, parallelism);
      if (operatorState !== undefined && (operatorState.lists.some(([, , elements]) => elements.length > 0) || operatorState.broadcast.length > 0)) {
        loaded.set(key(operatorId, subtask), { checkpointId: metadata.checkpointId, keyed: [], timers: [], state: undefined, operatorState });
      }
      continue;
    }
    const keyed: Uint8Array[] = [];
    const keyedFrom: string[] = [];
    const timers: TimerEntry[] = [];
    let state: unknown;
    const contents = await read(operatorId, entry);
    for (const content of contents) {
      if (content.keyed !== undefined) {
        keyed.push(content.keyed);
        keyedFrom.push(content.from);
      }
      timers.push(...content.timers);
      if (content.state !== undefined) state = content.state;
    }
    const operatorState =
      lastOperatorState(contents) === undefined ? undefined : await operatorStatePart(operatorId, subtask, parallelism ?? operator!.parallelism);
    loaded.set(key(operatorId, subtask), { checkpointId: metadata.checkpointId, keyed, keyedFrom, timers, state, operatorState });
  }
  return (operatorId, subtask) => loaded.get(key(operatorId, subtask));
}

function lastOperatorState(contents: readonly OperatorSnapshotContent[]): OperatorStateSnapshot | undefined {
  let found: OperatorStateSnapshot | undefined;
  for (const content of contents) if (content.operatorState !== undefined) found = content.operatorState;
  return found;
}
