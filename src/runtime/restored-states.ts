/**
 * Reads the state a checkpoint holds for the operator subtasks a thread runs, before its tasks
 * are built, so that building them can stay synchronous. A subtask whose operator the checkpoint
 * has no state for starts empty.
 */
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { CheckpointMetadata } from "../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../checkpoint/storage/checkpoint-storage.ts";
import { operatorIdOf, type JobGraph } from "../graph/job-graph.ts";
import { decodeOperatorSnapshot } from "./operator-snapshot.ts";
import type { RestoredOperatorState } from "./task-checkpointing.ts";

export type RestoredStateLookup = (operatorId: string, subtask: number) => RestoredOperatorState | undefined;

export const NOTHING_RESTORED: RestoredStateLookup = () => undefined;

const key = (operatorId: string, subtask: number): string => `${subtask}\u0000${operatorId}`;

/** Every operator subtask of `slots` in the job. */
export function operatorSubtasks(job: JobGraph, slots: readonly number[]): [string, number][] {
  const out: [string, number][] = [];
  for (const vertex of job.vertices) {
    for (const slot of slots) if (slot < vertex.parallelism) for (const node of vertex.nodes) out.push([operatorIdOf(node), slot]);
  }
  return out;
}

export async function loadRestoredStates(
  metadata: CheckpointMetadata,
  storage: Pick<CheckpointStorage, "readState">,
  wanted: Iterable<readonly [operatorId: string, subtask: number]>,
): Promise<RestoredStateLookup> {
  const byOperator = new Map(metadata.operators.map((o) => [o.operatorId, o]));
  const loaded = new Map<string, RestoredOperatorState>();
  for (const [operatorId, subtask] of wanted) {
    const entry = byOperator.get(operatorId)?.subtasks.find((s) => s.subtask === subtask);
    if (entry === undefined || entry.state.length === 0) continue;
    const keyed: Uint8Array[] = [];
    const timers: TimerEntry[] = [];
    let state: unknown;
    for (const handle of entry.state) {
      const content = decodeOperatorSnapshot(await storage.readState(handle), `operator '${operatorId}' subtask ${subtask} (${handle.path})`);
      if (content.keyed !== undefined) keyed.push(content.keyed);
      timers.push(...content.timers);
      if (content.state !== undefined) state = content.state;
    }
    loaded.set(key(operatorId, subtask), { checkpointId: metadata.checkpointId, keyed, timers, state });
  }
  return (operatorId, subtask) => loaded.get(key(operatorId, subtask));
}
