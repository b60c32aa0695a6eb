/**
 * Reading a savepoint, or a retained checkpoint, offline (Flink's State Processor API,
 * `SavepointReader.read`): `readSavepoint(path)` opens its `_metadata`, and each operator, found
 * by uid, gives its state as async iterables, read file by file across every subtask with the
 * decoders a restore uses (keyed snapshots: heap-snapshot.ts; operator files: operator-snapshot.ts).
 *
 * What the iterables yield:
 * - `keyedState(name)`: one `{ key, value }` per key (per (key, namespace) for the state of windows
 *   and other namespaced state, with `namespace`). Keys come back as `denormalizeKey` gives them:
 *   primitives as they were, composite keys (objects, arrays) as plain JSON values. Values come
 *   back as stored: a value, reducing or aggregating state's value or accumulator; a list state's
 *   array; a map state's whole map for that key, as a `Map` of user key to value. State with a
 *   time-to-live is stored with its access time: values are `{ userValue, lastAccessTimestamp }`.
 * - `operatorListState(name)` and `unionState(name)`: the elements of every subtask, in subtask order.
 * - `broadcastState(name)`: `{ key, value }` per entry, once (every subtask holds the same contents).
 * - `timers()`: `{ key, namespace, time, domain }` per pending timer of every subtask.
 * - `snapshots()`: what the operator's own `snapshotState` returned, per subtask (source read
 *   positions, a sink's pending transactions).
 *
 * Nothing is cached: each iteration reads the files again, and checks them against their
 * checksums. Errors carry the storage's and the state's codes (WEIR_ERR_CHECKPOINT_NOT_FOUND,
 * _INCOMPLETE, _CORRUPT, _STATE_MISSING, WEIR_ERR_STATE_CORRUPT); an operator or state the
 * savepoint does not hold is WEIR_ERR_UID_MISMATCH or WEIR_ERR_INVALID_ARGUMENT naming what it holds.
 */
import { dirname, resolve } from "node:path";
import { isInlineState, type CheckpointMetadata, type JsonValue, type OperatorStateMetadata } from "../checkpoint/storage/checkpoint-metadata.ts";
import { DiskVolume } from "../checkpoint/storage/disk-volume.ts";
import { VolumeCheckpointStorage } from "../checkpoint/storage/volume-checkpoint-storage.ts";
import { invalidArgument, WeirError } from "../core/errors.ts";
import { denormalizeKey } from "../core/key-groups.ts";
import { JOB_NAME_PROPERTY, OPERATOR_DESCRIPTIONS_PROPERTY, type OperatorDescription } from "../runtime/master/checkpoint-metadata-builder.ts";
import { decodeOperatorSnapshot, type OperatorSnapshotContent } from "../runtime/operator-snapshot.ts";
import { UserMapEntry, type UserMap } from "../state/heap/heap-map-state.ts";
import { scanKeyedSnapshot, type KeyedSnapshotState } from "../state/heap/heap-snapshot.ts";
import { splitNamespacedEntryKey } from "../state/heap/namespaced-entry-key.ts";
import type { TimeDomain } from "../state/internal-timer-service.ts";
import type { ListDistribution } from "../state/operator/operator-state-snapshot.ts";

/** One key's value of a keyed state; `namespace` only for namespaced state (windows). */
export interface KeyedStateEntry<K = unknown, V = unknown> {
  readonly key: K;
  readonly namespace?: unknown;
  readonly value: V;
}

export interface BroadcastStateEntry<K = unknown, V = unknown> {
  readonly key: K;
  readonly value: V;
}

export interface TimerRecord {
  readonly key: unknown;
  /** Undefined for timers without a namespace (those of process functions). */
  readonly namespace: unknown;
  readonly time: number;
  readonly domain: TimeDomain;
}

/** One subtask's decoded state file. */
export interface SubtaskContent {
  readonly subtask: number;
  readonly content: OperatorSnapshotContent;
  /** Names the file, for errors: operator, subtask and path. */
  readonly from: string;
  /** The state's length, in its file or inside `_metadata`. */
  readonly bytes: number;
  /** The state is kept inside `_metadata` (it was smaller than the job's memory threshold), not in a file of its own. */
  readonly inline: boolean;
}

/** The `_metadata` of a savepoint or checkpoint, from a directory, a `_metadata` file or a job directory; state files checked present. */
export async function resolveSavepoint(path: string): Promise<{ readonly path: string; readonly metadata: CheckpointMetadata; readonly storage: VolumeCheckpointStorage }> {
  const absolute = resolve(path);
  const storage = new VolumeCheckpointStorage({ volume: new DiskVolume(), root: dirname(absolute), jobId: "savepoint-reader" });
  const resolved = await storage.resolve(absolute);
  return { path: resolved.path, metadata: resolved.metadata, storage };
}

/** Opens the savepoint (or retained checkpoint) at `path`: a savepoint or `chk-<n>` directory, or its `_metadata` file. */
export async function readSavepoint(path: string): Promise<ExistingSavepoint> {
  const { path: metadataPath, metadata, storage } = await resolveSavepoint(path);
  return new ExistingSavepoint(metadataPath, metadata, storage);
}

export class ExistingSavepoint {
  /** In the order of the metadata (the job graph's order). */
  readonly operators: readonly SavepointOperator[];

  constructor(
    /** The `_metadata` file. */
    readonly path: string,
    readonly metadata: CheckpointMetadata,
    storage: Pick<VolumeCheckpointStorage, "readState">,
  ) {
    const descriptions = (metadata.properties?.[OPERATOR_DESCRIPTIONS_PROPERTY] ?? {}) as { readonly [operatorId: string]: JsonValue };
    this.operators = metadata.operators.map((o) => new SavepointOperator(o, descriptions[o.operatorId] as unknown as OperatorDescription | undefined, storage));
  }

  get jobId(): string {
    return this.metadata.jobId;
  }

  get checkpointId(): number {
    return this.metadata.checkpointId;
  }

  /** The job's name (its module, as `weir run` was given it), when the savepoint records it. */
  get jobName(): string | undefined {
    const name = this.metadata.properties?.[JOB_NAME_PROPERTY];
    return typeof name === "string" ? name : undefined;
  }

  /** When the savepoint completed, in milliseconds since the epoch. */
  get timestamp(): number {
    return this.metadata.completedAt;
  }

  /** The operator whose uid (or derived id) is `uid`; WEIR_ERR_UID_MISMATCH when there is none. */
  operator(uid: string): SavepointOperator {
    const found = this.operators.find((o) => o.uid === uid);
    if (found !== undefined) return found;
    throw new WeirError(
      "WEIR_ERR_UID_MISMATCH",
      `the savepoint at ${this.path} holds no operator '${uid}'; its operators are ${this.operators.map((o) => `'${o.uid}'`).join(", ") || "none"}`,
    );
  }
}

export class SavepointOperator {
  readonly uid: string;
  /** The operator's name, when the savepoint records it. */
  readonly name: string | undefined;
  /** Whether it was a source or a sink, when the savepoint records it. */
  readonly role: OperatorDescription["role"] | undefined;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Whether the operator is keyed: its subtasks record key-group ranges. */
  readonly keyed: boolean;

  constructor(
    readonly metadata: OperatorStateMetadata,
    description: OperatorDescription | undefined,
    private readonly storage: Pick<VolumeCheckpointStorage, "readState">,
  ) {
    this.uid = metadata.operatorId;
    this.name = description?.name;
    this.role = description?.role;
    this.parallelism = metadata.parallelism;
    this.maxParallelism = metadata.maxParallelism;
    this.keyed = metadata.subtasks.some((s) => s.keyGroupRange !== undefined);
  }

  /** Every state file of every subtask, decoded, in subtask order. */
  async *contents(): AsyncGenerator<SubtaskContent> {
    for (const subtask of [...this.metadata.subtasks].sort((a, b) => a.subtask - b.subtask)) {
      for (const handle of subtask.state) {
        const from = `operator '${this.uid}' subtask ${subtask.subtask} (${handle.path})`;
        const content = decodeOperatorSnapshot(await this.storage.readState(handle), from);
        yield { subtask: subtask.subtask, content, from, bytes: handle.bytes, inline: isInlineState(handle) };
      }
    }
  }

  /** The keyed states, with their kinds, in the order the snapshots list them; none for an operator that is not keyed. */
  async keyedStates(): Promise<KeyedSnapshotState[]> {
    const states = new Map<string, KeyedSnapshotState>();
    for await (const { content, from } of this.contents()) {
      if (content.keyed !== undefined) for (const state of scanKeyedSnapshot(content.keyed, from).states) if (!states.has(state.name)) states.set(state.name, state);
    }
    return [...states.values()];
  }

  /** See the module header for what keys and values are. */
  async *keyedState<K = unknown, V = unknown>(stateName: string): AsyncGenerator<KeyedStateEntry<K, V>> {
    const names = new Set<string>();
    let found = false;
    for await (const { content, from } of this.contents()) {
      if (content.keyed === undefined) continue;
      const snapshot = scanKeyedSnapshot(content.keyed, from);
      const state = snapshot.states.find((s) => s.name === stateName);
      for (const s of snapshot.states) names.add(s.name);
      if (state === undefined) continue;
      found = true;
      for (const part of snapshot.parts()) {
        if (part.state.name !== stateName) continue;
        for (const [stored, value] of part.entries()) {
          const user = (state.kind === "map" ? userMap(value as UserMap<unknown, unknown>) : value) as V;
          if (!state.namespaced) {
            yield { key: denormalizeKey(stored) as K, value: user };
            continue;
          }
          const [key, namespace] = splitNamespacedEntryKey(stored);
          yield { key: denormalizeKey(key) as K, namespace: denormalizeKey(namespace), value: user };
        }
      }
    }
    if (!found) throw this.unknownState("keyed state", stateName, [...names]);
  }

  /** Split list state (`getListState`): every subtask's elements, in subtask order. */
  operatorListState<T = unknown>(stateName: string): AsyncGenerator<T> {
    return this.listElements<T>(stateName, "split");
  }

  /** Union list state (`getUnionListState`): every subtask's elements, in subtask order. */
  unionState<T = unknown>(stateName: string): AsyncGenerator<T> {
    return this.listElements<T>(stateName, "union");
  }

  async *broadcastState<K = unknown, V = unknown>(stateName: string): AsyncGenerator<BroadcastStateEntry<K, V>> {
    const seen: string[] = [];
    for await (const { content } of this.contents()) {
      for (const [name, entries] of content.operatorState?.broadcast ?? []) {
        if (name !== stateName) {
          seen.push(name);
          continue;
        }
        for (const [key, value] of entries) yield { key: key as K, value: value as V };
        return;
      }
    }
    throw this.unknownState("broadcast state", stateName, seen);
  }

  async *timers(): AsyncGenerator<TimerRecord> {
    for await (const { content } of this.contents()) {
      for (const entry of content.timers) {
        const [time, key, domain, namespace] = entry.length === 2 ? [entry[0], entry[1], 0, undefined] : entry;
        yield { key, namespace, time, domain: domain === 1 ? "EVENT_TIME" : "PROCESSING_TIME" };
      }
    }
  }

  /** What `snapshotState` returned, per subtask that returned something. */
  async *snapshots(): AsyncGenerator<{ readonly subtask: number; readonly state: unknown }> {
    for await (const { subtask, content } of this.contents()) if (content.state !== undefined) yield { subtask, state: content.state };
  }

  private async *listElements<T>(stateName: string, distribution: ListDistribution): AsyncGenerator<T> {
    const seen = new Map<string, ListDistribution>();
    for await (const { content } of this.contents()) {
      for (const [name, kind, elements] of content.operatorState?.lists ?? []) {
        seen.set(name, kind);
        if (name === stateName && kind === distribution) yield* elements as T[];
      }
    }
    const found = seen.get(stateName);
    if (found === distribution) return;
    const what = distribution === "split" ? "operator list state" : "union list state";
    if (found !== undefined) throw invalidArgument(`state '${stateName}' of operator '${this.uid}' is ${found === "split" ? "operator list state" : "union list state"}, not ${what}`);
    throw this.unknownState(what, stateName, [...seen.keys()]);
  }

  private unknownState(what: string, name: string, names: readonly string[]): WeirError {
    const known = [...new Set(names)];
    return invalidArgument(`operator '${this.uid}' has no ${what} '${name}'${known.length === 0 ? "" : `; it has ${known.map((n) => `'${n}'`).join(", ")}`}`);
  }
}

/** A stored map state value as the user's map. */
function userMap(stored: UserMap<unknown, unknown>): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  for (const entry of stored.values()) if (entry instanceof UserMapEntry) map.set(entry.key, entry.value);
  return map;
}
