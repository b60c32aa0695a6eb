/**
 * The state files of one operator made from data, as its subtasks would have written them: keyed
 * entries go to the subtask that owns their key group (the engine's own key hashing), through a
 * keyed state backend of that subtask's range and its snapshot, and each file is encoded as a
 * running task encodes its own (operator-snapshot.ts). No format of its own.
 *
 * Keyed state: one value per key; a key given twice keeps the last value. A bootstrap function
 * (keyed-state-bootstrap-function.ts) writes keyed state and registers timers per element.
 * Operator list state is split evenly over the subtasks, union list state is written once (by
 * subtask 0: a restore gives every subtask the union of all), broadcast state is written by every
 * subtask. Namespaced (window) state cannot be written from data.
 *
 * Changing an operator of an existing savepoint starts from its subtasks' files, at their
 * parallelism and key groups: each state `data` names replaces the state of that name (a keyed
 * state's entries of every key are cleared first, and the new ones are written at the version the
 * savepoint holds the state at), the bootstrap function sees the state as the savepoint holds it
 * and adds its timers to those pending; every other state (namespaced window contents included),
 * the pending timers and what the operator's own `snapshotState` returned are kept.
 */
import { denormalizeKey, assignToKeyGroup, checkMaxParallelism, keyGroupRangeForSubtask, subtaskForKeyGroup, type KeyGroupRange } from "../core/key-groups.ts";
import { invalidArgument } from "../core/errors.ts";
import { JobArgs } from "../api/job-args.ts";
import { KeyedServices } from "../runtime/keyed-services.ts";
import { encodeOperatorSnapshot, type OperatorSnapshotContent } from "../runtime/operator-snapshot.ts";
import { StreamingRuntimeContext } from "../runtime/runtime-context.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../state/descriptors.ts";
import { keyedSnapshotStates } from "../state/heap/heap-snapshot.ts";
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import { evenSplitPart } from "../state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";
import { createKeyedStateBackend, DEFAULT_STATE_BACKEND } from "../state/state-backends.ts";
import { VOID_NAMESPACE } from "../state/timer-queue.ts";
import type { KeyedBootstrap, KeyedStateBootstrapContext } from "./keyed-state-bootstrap-function.ts";

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

/** What `SavepointWriter.withOperator` and `changeOperator` write for one operator (Flink's bootstrap transformation). */
export interface OperatorStateData {
  /** How many subtasks write it; 1 by default (a changed operator keeps its own). A job may restore it at any parallelism. */
  readonly parallelism?: number;
  /** Keyed state by state name. */
  readonly keyedState?: { readonly [stateName: string]: KeyedStateData };
  /** Keyed state and timers written by a function, element by element. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the elements' and keys' types are the caller's
  readonly bootstrap?: KeyedBootstrap<any, any>;
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

/** What one subtask of an operator being changed holds: its files' contents, decoded. */
export interface ExistingSubtask {
  readonly subtask: number;
  readonly contents: readonly OperatorSnapshotContent[];
}

const LAST_WINS = { reduce: (_previous: unknown, value: unknown) => value };
const AS_ACCUMULATOR = { createAccumulator: (): unknown => undefined, add: (value: unknown) => value, getResult: (accumulator: unknown) => accumulator };

const DESCRIPTORS = {
  value: (name: string, version: number) => new ValueStateDescriptor<unknown>(name, { version }),
  list: (name: string, version: number) => new ListStateDescriptor<unknown>(name, { version }),
  map: (name: string, version: number) => new MapStateDescriptor<unknown, unknown>(name, { version }),
  reducing: (name: string, version: number) => new ReducingStateDescriptor<unknown>(name, LAST_WINS.reduce, { version }),
  aggregating: (name: string, version: number) => new AggregatingStateDescriptor<unknown, unknown, unknown>(name, AS_ACCUMULATOR, { version }),
} as const;

async function collect<T>(entries: Entries<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

/** The subtasks of an operator, each with its key groups and, for a keyed one, its backend. */
class Subtasks {
  readonly ranges: readonly KeyGroupRange[];
  readonly keyed: readonly KeyedServices[];

  constructor(
    readonly parallelism: number,
    readonly maxParallelism: number,
    keyed: boolean,
    keyBy: ((value: unknown) => unknown) | undefined,
  ) {
    this.ranges = Array.from({ length: parallelism }, (_, i) => keyGroupRangeForSubtask(i, parallelism, maxParallelism));
    this.keyed = keyed ? this.ranges.map((keyGroupRange) => new KeyedServices(createKeyedStateBackend(DEFAULT_STATE_BACKEND, { keyGroupRange, maxParallelism }), [keyBy])) : [];
  }

  /** The subtask that owns `key`. */
  of(key: unknown): number {
    return subtaskForKeyGroup(assignToKeyGroup(key, this.maxParallelism), this.parallelism, this.maxParallelism);
  }

  dispose(): void {
    for (const { backend } of this.keyed) backend.dispose();
  }
}

/** Empties state `name` of one backend: every key of every key group of its range. */
function clearKeyedState(backend: KeyedStateBackend, name: string, state: { clear(): void }): void {
  const { start, end } = backend.keyGroupRange;
  for (let group = start; group <= end; group++) {
    const keys = [...backend.keyGroupEntries(name, group)].map(([normalized]) => denormalizeKey(normalized));
    for (const key of keys) {
      backend.setCurrentKey(key);
      state.clear();
    }
  }
}

/** Puts `entries` of one state into the backends, each key into the backend whose range holds its key group; `replace` empties the state first. */
async function loadKeyedState(subtasks: Subtasks, name: string, data: KeyedStateData, version: number, replace: boolean): Promise<void> {
  const make = DESCRIPTORS[data.kind] as ((name: string, version: number) => ValueStateDescriptor<unknown>) | undefined;
  if (make === undefined) throw invalidArgument(`keyed state '${name}' has kind ${JSON.stringify(data.kind)}; kinds are value, list, map, reducing and aggregating`);
  const states = subtasks.keyed.map(({ backend }) => backend.getState(make(name, version) as never) as unknown as Record<string, (value?: unknown) => void>);
  if (replace) subtasks.keyed.forEach(({ backend }, i) => clearKeyedState(backend, name, states[i] as unknown as { clear(): void }));
  for await (const [key, value] of data.entries as Entries<readonly [unknown, unknown]>) {
    const subtask = subtasks.of(key);
    const state = states[subtask]!;
    subtasks.keyed[subtask]!.backend.setCurrentKey(key);
    switch (data.kind) {
      case "value":
        state.update!(value);
        break;
      case "list":
        state.update!(Array.from(value as Iterable<unknown>));
        break;
      case "map":
        state.clear!();
        state.putAll!(value);
        break;
      case "reducing":
      case "aggregating":
        state.clear!();
        state.add!(value);
        break;
    }
  }
}

/** Runs the bootstrap function over its elements, subtask by subtask: open, the subtask's elements in order, close. */
async function runBootstrap(uid: string, subtasks: Subtasks, bootstrap: KeyedBootstrap<unknown, unknown>): Promise<void> {
  const elements: unknown[][] = subtasks.ranges.map(() => []);
  for await (const value of bootstrap.data) elements[subtasks.of(bootstrap.keyBy(value))]!.push(value);
  const fn = bootstrap.function;
  const now = Date.now();
  for (let i = 0; i < subtasks.parallelism; i++) {
    const keyed = subtasks.keyed[i]!;
    const { backend, timers } = keyed;
    await fn.open?.(new StreamingRuntimeContext(uid, i, subtasks.parallelism, subtasks.maxParallelism, new JobArgs([]), keyed));
    const ctx: KeyedStateBootstrapContext<unknown> = {
      getCurrentKey: () => backend.getCurrentKey(),
      timerService: () => ({
        currentProcessingTime: () => now,
        currentWatermark: () => timers.currentWatermark(),
        registerProcessingTimeTimer: (time) => timers.registerProcessingTimeTimer(VOID_NAMESPACE, time),
        deleteProcessingTimeTimer: (time) => timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time),
        registerEventTimeTimer: (time) => timers.registerEventTimeTimer(VOID_NAMESPACE, time),
        deleteEventTimeTimer: (time) => timers.deleteEventTimeTimer(VOID_NAMESPACE, time),
      }),
    };
    for (const value of elements[i]!) {
      keyed.setCurrentKeyOf(value, 0);
      await fn.processElement(value, ctx);
    }
    await fn.close?.();
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

/** Each subtask's operator state: the existing one's, without the states `data` names, then those of `data`. */
async function operatorStates(data: OperatorStateData, parallelism: number, existing: readonly ExistingSubtask[] | undefined): Promise<OperatorStateSnapshot[]> {
  const replaced = new Set([...Object.keys(data.operatorListState ?? {}), ...Object.keys(data.unionState ?? {}), ...Object.keys(data.broadcastState ?? {})]);
  const parts = Array.from({ length: parallelism }, (_, i) => {
    const kept = (existing?.[i]?.contents ?? []).flatMap((c) => (c.operatorState === undefined ? [] : [c.operatorState]));
    return {
      lists: kept.flatMap((o) => o.lists.filter(([name]) => !replaced.has(name))) as unknown[],
      broadcast: kept.flatMap((o) => o.broadcast.filter(([name]) => !replaced.has(name))) as unknown[],
    };
  });
  for (const [name, entries] of Object.entries(data.operatorListState ?? {})) {
    const elements = await collect(entries);
    parts.forEach((part, i) => part.lists.push([name, "split", evenSplitPart(elements, i, parallelism)]));
  }
  for (const [name, entries] of Object.entries(data.unionState ?? {})) {
    const elements = await collect(entries);
    parts.forEach((part, i) => part.lists.push([name, "union", i === 0 ? elements : []]));
  }
  for (const [name, entries] of Object.entries(data.broadcastState ?? {})) {
    const pairs = await collect(entries);
    for (const part of parts) part.broadcast.push([name, pairs]);
  }
  return parts as unknown as OperatorStateSnapshot[];
}

/** The newest version each keyed state of the existing subtasks was written at. */
function existingVersions(existing: readonly ExistingSubtask[] | undefined): Map<string, number> {
  const versions = new Map<string, number>();
  for (const { contents } of existing ?? []) {
    for (const { keyed } of contents) {
      if (keyed === undefined) continue;
      for (const { name, version } of keyedSnapshotStates(keyed)) versions.set(name, Math.max(version, versions.get(name) ?? 0));
    }
  }
  return versions;
}

/**
 * Every subtask's file for operator `uid`: from `data` alone, or, given the `existing` subtasks of
 * the operator in a savepoint (all of them, in order), from those with `data` applied.
 */
export async function bootstrapOperator(uid: string, data: OperatorStateData, maxParallelism: number, existing?: readonly ExistingSubtask[]): Promise<BootstrappedSubtask[]> {
  checkMaxParallelism(maxParallelism);
  const parallelism = existing?.length ?? data.parallelism ?? 1;
  if (existing !== undefined && data.parallelism !== undefined && data.parallelism !== parallelism) {
    throw invalidArgument(`operator '${uid}' is changed at the parallelism the savepoint holds it at, ${parallelism}; leave its parallelism out (a job may restore it at any)`);
  }
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw invalidArgument(`operator '${uid}' needs a parallelism from 1 to its max parallelism ${maxParallelism}, got ${String(data.parallelism)}`);
  }
  const keyed =
    (data.keyedState !== undefined && Object.keys(data.keyedState).length > 0) || data.bootstrap !== undefined || (existing ?? []).some((s) => s.contents.some((c) => c.keyed !== undefined));
  const subtasks = new Subtasks(parallelism, maxParallelism, keyed, data.bootstrap?.keyBy);
  try {
    subtasks.keyed.forEach(({ backend, timers }, i) => {
      const contents = existing?.[i]?.contents ?? [];
      backend.restore(contents.flatMap((c) => (c.keyed === undefined ? [] : [c.keyed])));
      timers.restore(contents.flatMap((c) => c.timers), backend.keyGroupRange, maxParallelism);
    });
    const versions = existingVersions(existing);
    for (const [name, state] of Object.entries(data.keyedState ?? {})) await loadKeyedState(subtasks, name, state, versions.get(name) ?? 1, existing !== undefined);
    if (data.bootstrap !== undefined) await runBootstrap(uid, subtasks, data.bootstrap);
    const parts = await operatorStates(data, parallelism, existing);
    return parts.map((operatorState, i) => {
      const contents = existing?.[i]?.contents ?? [];
      const services = subtasks.keyed[i];
      const timers: TimerEntry[] = services === undefined ? contents.flatMap((c) => c.timers) : services.timers.snapshot();
      const hasOperatorState = operatorState.lists.length > 0 || operatorState.broadcast.length > 0;
      const content: OperatorSnapshotContent = {
        keyed: services === undefined ? undefined : writeSnapshot(services.backend),
        timers,
        state: contents[0]?.state,
        ...(hasOperatorState ? { operatorState } : {}),
      };
      return { subtask: i, bytes: encodeOperatorSnapshot(content, `operator '${uid}'`), ...(services === undefined ? {} : { keyGroupRange: subtasks.ranges[i]! }) };
    });
  } finally {
    subtasks.dispose();
  }
}
