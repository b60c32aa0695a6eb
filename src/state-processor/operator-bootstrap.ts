/**
 * The state files of one operator made from data, as its subtasks would have written them: keyed
 * entries go to the subtask that owns their key group (the engine's own key hashing), through a
 * keyed state backend of that subtask's range and its snapshot, and each file is encoded as a
 * running task encodes its own (operator-snapshot.ts). No format of its own.
 *
 * Keyed state: one value per key; a key given twice keeps the last value. Operator list state is
 * split evenly over the subtasks, union list state is written once (by subtask 0: a restore gives
 * every subtask the union of all), broadcast state is written by every subtask. Timers and
 * namespaced (window) state cannot be bootstrapped.
 */
import { assignToKeyGroup, checkMaxParallelism, keyGroupRangeForSubtask, subtaskForKeyGroup, type KeyGroupRange } from "../core/key-groups.ts";
import { invalidArgument } from "../core/errors.ts";
import { encodeOperatorSnapshot } from "../runtime/operator-snapshot.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../state/descriptors.ts";
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import { evenSplitPart } from "../state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";
import { createKeyedStateBackend, DEFAULT_STATE_BACKEND } from "../state/state-backends.ts";

/** Entries given as any iterable, synchronous or not (another savepoint's `keyedState(...)` included). */
export type Entries<T> = Iterable<T> | AsyncIterable<T>;

/**
 * One keyed state: `[key, value]` per key. A value state's value, a list state's elements, a map
 * state's map (a Map or [userKey, value] pairs), a reducing state's reduced value, an aggregating
 * state's accumulator.
 */
export type KeyedStateData =
  | { readonly kind: "value"; readonly entries: Entries<readonly [unknown, unknown]> }
  | { readonly kind: "list"; readonly entries: Entries<readonly [unknown, Iterable<unknown>]> }
  | { readonly kind: "map"; readonly entries: Entries<readonly [unknown, Iterable<readonly [unknown, unknown]>]> }
  | { readonly kind: "reducing"; readonly entries: Entries<readonly [unknown, unknown]> }
  | { readonly kind: "aggregating"; readonly entries: Entries<readonly [unknown, unknown]> };

/** What `SavepointWriter.withOperator` writes for one operator (Flink's bootstrap transformation). */
export interface OperatorStateData {
  /** How many subtasks write it; 1 by default. A job may restore it at any parallelism. */
  readonly parallelism?: number;
  /** Keyed state by state name. */
  readonly keyedState?: { readonly [stateName: string]: KeyedStateData };
  /** Split list state (`getListState`) by name: its elements. */
  readonly operatorListState?: { readonly [stateName: string]: Entries<unknown> };
  /** Union list state (`getUnionListState`) by name: its elements. */
  readonly unionState?: { readonly [stateName: string]: Entries<unknown> };
  /** Broadcast state by name: its [key, value] entries. */
  readonly broadcastState?: { readonly [stateName: string]: Entries<readonly [unknown, unknown]> };
}

/** One subtask's file content and, for a keyed operator, its key groups. */
export interface BootstrappedSubtask {
  readonly subtask: number;
  readonly bytes: Uint8Array;
  readonly keyGroupRange?: KeyGroupRange;
}

const LAST_WINS = { reduce: (_previous: unknown, value: unknown) => value };
const AS_ACCUMULATOR = { createAccumulator: (): unknown => undefined, add: (value: unknown) => value, getResult: (accumulator: unknown) => accumulator };

const DESCRIPTORS = {
  value: (name: string) => new ValueStateDescriptor<unknown>(name),
  list: (name: string) => new ListStateDescriptor<unknown>(name),
  map: (name: string) => new MapStateDescriptor<unknown, unknown>(name),
  reducing: (name: string) => new ReducingStateDescriptor<unknown>(name, LAST_WINS.reduce),
  aggregating: (name: string) => new AggregatingStateDescriptor<unknown, unknown, unknown>(name, AS_ACCUMULATOR),
} as const;

async function collect<T>(entries: Entries<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

/** Puts `entries` of one state into the backends, each key into the backend whose range holds its key group. */
async function loadKeyedState(backends: readonly KeyedStateBackend[], parallelism: number, maxParallelism: number, name: string, data: KeyedStateData): Promise<void> {
  const make = DESCRIPTORS[data.kind] as ((name: string) => ValueStateDescriptor<unknown>) | undefined;
  if (make === undefined) throw invalidArgument(`keyed state '${name}' has kind ${JSON.stringify(data.kind)}; kinds are value, list, map, reducing and aggregating`);
  const states = backends.map((b) => b.getState(make(name) as never) as unknown);
  for await (const [key, value] of data.entries as Entries<readonly [unknown, unknown]>) {
    const subtask = subtaskForKeyGroup(assignToKeyGroup(key, maxParallelism), parallelism, maxParallelism);
    const state = states[subtask] as Record<string, (value: unknown) => void>;
    backends[subtask]!.setCurrentKey(key);
    switch (data.kind) {
      case "value":
        state.update!(value);
        break;
      case "list":
        state.update!(Array.from(value as Iterable<unknown>));
        break;
      case "map":
        state.clear!(undefined);
        state.putAll!(value);
        break;
      case "reducing":
      case "aggregating":
        state.clear!(undefined);
        state.add!(value);
        break;
    }
  }
}

/** Runs a snapshot's steps to the end: its bytes. */
function writeSnapshot(backend: KeyedStateBackend): Uint8Array {
  const snapshot = backend.snapshot();
  try {
    const steps = snapshot.write();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  } finally {
    snapshot.release();
  }
}

/** Every subtask's file for operator `uid`. */
export async function bootstrapOperator(uid: string, data: OperatorStateData, maxParallelism: number): Promise<BootstrappedSubtask[]> {
  checkMaxParallelism(maxParallelism);
  const parallelism = data.parallelism ?? 1;
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw invalidArgument(`operator '${uid}' needs a parallelism from 1 to its max parallelism ${maxParallelism}, got ${String(data.parallelism)}`);
  }
  const keyed = data.keyedState !== undefined && Object.keys(data.keyedState).length > 0;
  const ranges = Array.from({ length: parallelism }, (_, i) => keyGroupRangeForSubtask(i, parallelism, maxParallelism));
  const backends = keyed ? ranges.map((keyGroupRange) => createKeyedStateBackend(DEFAULT_STATE_BACKEND, { keyGroupRange, maxParallelism })) : [];
  for (const [name, state] of Object.entries(data.keyedState ?? {})) await loadKeyedState(backends, parallelism, maxParallelism, name, state);

  const parts: OperatorStateSnapshot[] = Array.from({ length: parallelism }, () => ({ lists: [], broadcast: [] }));
  for (const [name, entries] of Object.entries(data.operatorListState ?? {})) {
    const elements = await collect(entries);
    parts.forEach((part, i) => (part.lists as unknown[]).push([name, "split", evenSplitPart(elements, i, parallelism)]));
  }
  for (const [name, entries] of Object.entries(data.unionState ?? {})) {
    const elements = await collect(entries);
    parts.forEach((part, i) => (part.lists as unknown[]).push([name, "union", i === 0 ? elements : []]));
  }
  for (const [name, entries] of Object.entries(data.broadcastState ?? {})) {
    const pairs = await collect(entries);
    for (const part of parts) (part.broadcast as unknown[]).push([name, pairs]);
  }
  const hasOperatorState = parts[0]!.lists.length > 0 || parts[0]!.broadcast.length > 0;
  return parts.map((operatorState, subtask) => ({
    subtask,
    bytes: encodeOperatorSnapshot({ keyed: keyed ? writeSnapshot(backends[subtask]!) : undefined, timers: [], state: undefined, ...(hasOperatorState ? { operatorState } : {}) }, `operator '${uid}'`),
    ...(keyed ? { keyGroupRange: ranges[subtask]! } : {}),
  }));
}
