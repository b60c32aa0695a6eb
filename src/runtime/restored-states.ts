/**
 * Reads the state a checkpoint holds for the operator subtasks a thread runs, before its tasks
 * are built, so that building them can stay synchronous. A subtask whose operator the checkpoint
 * has no state for starts empty.
 *
 * At the checkpoint's parallelism and max parallelism a subtask restores what it wrote. At another
 * (rescaling), each restoring subtask gets: the keyed state and timers of every old subtask whose
 * key groups overlap its own (of every old subtask when the max parallelism changed: the keyed
 * backend then re-buckets each key); the operator's own state of the old subtasks j with
 * j mod parallelism = its index, as a list; its part of the operator state.
 *
 * The channel state of an unaligned checkpoint (records in flight) restores only at the
 * checkpoint's parallelism: a rescaled restore of a subtask that held some is refused with
 * WEIR_ERR_UNALIGNED_RESCALE.
 *
 * Operator state (list and broadcast states) is redistributed over the subtasks of the restoring
 * job (operator-state-repartitioner.ts): the state every subtask of that operator wrote is read
 * (once per operator) and this subtask gets its part.
 *
 * With local recovery, a file of an operator restored at the checkpoint's parallelism and max
 * parallelism is read from its local copy when that copy is exactly what the checkpoint recorded,
 * else from the checkpoint storage; a rescaled operator's files are read from the storage. Each
 * file read is reported with where it came from; state kept inside `_metadata` (below the memory
 * threshold) is no file at all, and is reported as "inline".
 */
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { CheckpointMetadata } from "../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointStorage } from "../checkpoint/storage/checkpoint-storage.ts";
import { isInlineState, type StateHandle } from "../checkpoint/storage/checkpoint-metadata.ts";
import type { StateFileOwner } from "../checkpoint/storage/checkpoint-paths.ts";
import type { LocalStatePaths } from "../checkpoint/local/local-state-paths.ts";
import { readLocalCopy } from "../checkpoint/local/local-state-reader.ts";
import { keyGroupRangeForSubtask } from "../core/key-groups.ts";
import { WeirError } from "../core/errors.ts";
import { operatorIdOf, type JobGraph } from "../graph/job-graph.ts";
import { repartitionOperatorState } from "../state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";
import { decodeOperatorSnapshot, type OperatorSnapshotContent } from "./operator-snapshot.ts";
import type { RestoredOperatorState } from "./task-checkpointing.ts";

export type RestoredStateLookup = (operatorId: string, subtask: number) => RestoredOperatorState | undefined;

export const NOTHING_RESTORED: RestoredStateLookup = () => undefined;

const key = (operatorId: string, subtask: number): string => `${subtask}\u0000${operatorId}`;

/** Every operator subtask of `slots` in the job, with the operator's parallelism and the job's max parallelism. */
export function operatorSubtasks(job: JobGraph, slots: readonly number[]): [string, number, number, number][] {
  const out: [string, number, number, number][] = [];
  for (const vertex of job.vertices) {
    for (const slot of slots) if (slot < vertex.parallelism) for (const node of vertex.nodes) out.push([operatorIdOf(node), slot, vertex.parallelism, job.maxParallelism]);
  }
  return out;
}

type SubtaskEntry = CheckpointMetadata["operators"][number]["subtasks"][number];
type OperatorEntry = CheckpointMetadata["operators"][number];

/** A state file's content and what it is (operator, subtask, file), for errors. */
type DecodedContent = OperatorSnapshotContent & { readonly from: string };

/**
 * The subtasks of `operator` whose files a restoring subtask `subtask` of `parallelism` and
 * `maxParallelism` reads, when either differs from the checkpoint's: those whose key groups
 * overlap its own (all of them when the max parallelism changed, since every key may move), and
 * those whose own state (`snapshotState`) it takes over: old subtask j goes to j mod parallelism.
 */
export function rescaleSources(operator: OperatorEntry, subtask: number, parallelism: number, maxParallelism: number): { keyed: SubtaskEntry[]; own: SubtaskEntry[] } {
  const range = keyGroupRangeForSubtask(subtask, parallelism, maxParallelism);
  const keyed: SubtaskEntry[] = [];
  const own: SubtaskEntry[] = [];
  for (const entry of operator.subtasks) {
    const old = entry.keyGroupRange;
    if (old !== undefined && (operator.maxParallelism !== maxParallelism || (old.start <= range.end && old.end >= range.start))) keyed.push(entry);
    if (entry.subtask % parallelism === subtask) own.push(entry);
  }
  return { keyed, own };
}

/** A state file a restore read, and where from. */
export interface RestoredFile {
  readonly operatorId: string;
  readonly subtask: number;
  readonly bytes: number;
  /**
   * "local": the task's local copy; "storage": the checkpoint storage; "inline": the state was
   * kept inside the checkpoint's `_metadata`, which the restore already holds, so neither a
   * local copy nor the storage was read (and there is no copy that could have been).
   */
  readonly source: "local" | "storage" | "inline";
  /** Why a file that could have come from its local copy did not. */
  readonly localCopy?: { readonly kind: "missing" | "corrupt"; readonly path: string; readonly problem?: string };
}

export interface RestoreReading {
  /** The root of local copies (local recovery); without it, every file is read from the storage. */
  readonly local?: LocalStatePaths;
  /** Told of every state file read. */
  readonly onFile?: (file: RestoredFile) => void;
}

/** The bytes of one state file: its local copy if `local` is given and the copy is sound, else the storage's. */
async function readStateFile(
  handle: StateHandle,
  owner: StateFileOwner,
  storage: Pick<CheckpointStorage, "readState">,
  local: LocalStatePaths | undefined,
  onFile: ((file: RestoredFile) => void) | undefined,
): Promise<Uint8Array> {
  const base = { operatorId: owner.operatorId, subtask: owner.subtask, bytes: handle.bytes };
  // State kept inside `_metadata` is already here: it has no file, local or not.
  if (isInlineState(handle)) {
    const bytes = await storage.readState(handle);
    onFile?.({ ...base, source: "inline" });
    return bytes;
  }
  if (local === undefined) {
    const bytes = await storage.readState(handle);
    onFile?.({ ...base, source: "storage" });
    return bytes;
  }
  const copy = await readLocalCopy(local, owner, handle);
  if (copy.kind === "local") {
    onFile?.({ ...base, source: "local" });
    return copy.bytes;
  }
  const bytes = await storage.readState(handle);
  onFile?.({ ...base, source: "storage", localCopy: copy.kind === "missing" ? { kind: "missing", path: copy.path } : { kind: "corrupt", path: copy.path, problem: copy.problem } });
  return bytes;
}

/**
 * `wanted` lists [operator id, subtask, parallelism, max parallelism of the restoring operator];
 * without them, the operator's in the checkpoint are taken. Operator ids are the restoring job's:
 * a checkpoint of a changed job is first remapped to them (see restore-plan.ts).
 */
export async function loadRestoredStates(
  metadata: CheckpointMetadata,
  storage: Pick<CheckpointStorage, "readState">,
  wanted: Iterable<readonly [operatorId: string, subtask: number, parallelism?: number, maxParallelism?: number]>,
  reading: RestoreReading = {},
): Promise<RestoredStateLookup> {
  const byOperator = new Map(metadata.operators.map((o) => [o.operatorId, o]));
  const loaded = new Map<string, RestoredOperatorState>();
  /** Each subtask's files read and decoded once, though both its own restore and operator-state redistribution need them. */
  const reads = new Map<string, Promise<DecodedContent[]>>();
  /** `rescaled`: the operator is restored at another parallelism or max parallelism, so its local copies are not read. */
  const read = (operatorId: string, entry: SubtaskEntry, rescaled: boolean): Promise<DecodedContent[]> => {
    const readKey = key(operatorId, entry.subtask);
    let contents = reads.get(readKey);
    if (contents === undefined) reads.set(readKey, (contents = decodeAll(operatorId, entry, rescaled ? undefined : reading.local)));
    return contents;
  };
  const decodeAll = async (operatorId: string, entry: SubtaskEntry, local: LocalStatePaths | undefined): Promise<DecodedContent[]> => {
    const contents: DecodedContent[] = [];
    for (const handle of entry.state) {
      const from = `operator '${operatorId}' subtask ${entry.subtask} (${handle.path})`;
      const bytes = await readStateFile(handle, { operatorId, subtask: entry.subtask }, storage, local, reading.onFile);
      contents.push({ ...decodeOperatorSnapshot(bytes, from), from });
    }
    return contents;
  };
  /** Per operator id and restoring parallelism, each subtask's part of the operator state. */
  const redistributed = new Map<string, OperatorStateSnapshot[]>();
  const operatorStatePart = async (operatorId: string, subtask: number, parallelism: number, rescaled: boolean): Promise<OperatorStateSnapshot | undefined> => {
    const cacheKey = key(operatorId, parallelism);
    let parts = redistributed.get(cacheKey);
    if (parts === undefined) {
      const operator = byOperator.get(operatorId)!;
      const previous: (OperatorStateSnapshot | undefined)[] = new Array<OperatorStateSnapshot | undefined>(operator.parallelism).fill(undefined);
      for (const entry of operator.subtasks) previous[entry.subtask] = lastOperatorState(await read(operatorId, entry, rescaled));
      parts = repartitionOperatorState(previous, parallelism);
      redistributed.set(cacheKey, parts);
    }
    return parts[subtask];
  };
  for (const [operatorId, subtask, wantedParallelism, wantedMaxParallelism] of wanted) {
    const operator = byOperator.get(operatorId);
    if (operator === undefined) continue;
    const parallelism = wantedParallelism ?? operator.parallelism;
    const maxParallelism = wantedMaxParallelism ?? operator.maxParallelism;
    if (parallelism !== operator.parallelism || maxParallelism !== operator.maxParallelism) {
      // Rescaled: every restoring subtask of an operator that has state is told so, even one that gets none of it (a sink must know it resumes).
      if (!operator.subtasks.some((e) => e.state.length > 0)) continue;
      const sources = rescaleSources(operator, subtask, parallelism, maxParallelism);
      const keyed: Uint8Array[] = [];
      const keyedFrom: string[] = [];
      const timers: TimerEntry[] = [];
      for (const entry of [...sources.keyed, ...sources.own]) {
        for (const content of await read(operatorId, entry, true)) if (content.channels !== undefined) throw unalignedRescale(metadata, operatorId, operator, parallelism);
      }
      for (const entry of sources.keyed) {
        for (const content of await read(operatorId, entry, true)) {
          if (content.keyed !== undefined) {
            keyed.push(content.keyed);
            keyedFrom.push(content.from);
          }
          timers.push(...content.timers);
        }
      }
      const states: unknown[] = [];
      for (const entry of sources.own) {
        let state: unknown;
        for (const content of await read(operatorId, entry, true)) if (content.state !== undefined) state = content.state;
        if (state !== undefined) states.push(state);
      }
      const part = await operatorStatePart(operatorId, subtask, parallelism, true);
      const operatorState = part !== undefined && (part.lists.length > 0 || part.broadcast.length > 0) ? part : undefined;
      loaded.set(key(operatorId, subtask), { checkpointId: metadata.checkpointId, keyed, keyedFrom, timers, state: undefined, states, operatorState });
      continue;
    }
    const entry = operator.subtasks.find((s) => s.subtask === subtask);
    if (entry === undefined || entry.state.length === 0) continue;
    const keyed: Uint8Array[] = [];
    const keyedFrom: string[] = [];
    const timers: TimerEntry[] = [];
    let state: unknown;
    let channelState: Uint8Array | undefined;
    const contents = await read(operatorId, entry, false);
    for (const content of contents) {
      if (content.channels !== undefined) channelState = content.channels;
      if (content.keyed !== undefined) {
        keyed.push(content.keyed);
        keyedFrom.push(content.from);
      }
      timers.push(...content.timers);
      if (content.state !== undefined) state = content.state;
    }
    const operatorState = lastOperatorState(contents) === undefined ? undefined : await operatorStatePart(operatorId, subtask, parallelism, false);
    loaded.set(key(operatorId, subtask), { checkpointId: metadata.checkpointId, keyed, keyedFrom, timers, state, states: state === undefined ? [] : [state], operatorState, channelState });
  }
  return (operatorId, subtask) => loaded.get(key(operatorId, subtask));
}

function unalignedRescale(metadata: CheckpointMetadata, operatorId: string, operator: OperatorEntry, parallelism: number): WeirError {
  return new WeirError(
    "WEIR_ERR_UNALIGNED_RESCALE",
    `checkpoint ${metadata.checkpointId} is unaligned and holds records in flight at operator '${operatorId}', which it took at parallelism ${operator.parallelism}/${operator.maxParallelism}; ` +
      `it restores only at that parallelism (this restore asks for ${parallelism}): restore it unchanged, take a savepoint, and rescale from the savepoint`,
  );
}

function lastOperatorState(contents: readonly OperatorSnapshotContent[]): OperatorStateSnapshot | undefined {
  let found: OperatorStateSnapshot | undefined;
  for (const content of contents) if (content.operatorState !== undefined) found = content.operatorState;
  return found;
}
