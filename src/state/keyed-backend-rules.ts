/**
 * Rules every keyed state backend applies the same way, so that backends agree on them (and on
 * their messages): the key-group range a backend is created with, the key a key group refuses,
 * conflicting registrations of one state name, how namespaces of each kind merge, and which
 * descriptors carry TTL.
 */
import { WeirError, internalError, invalidArgument } from "../core/errors.ts";
import { assignToKeyGroup, checkMaxParallelism, normalizeKey, type KeyGroupRange } from "../core/key-groups.ts";
import type { StateDescriptor, StateKind } from "./descriptors.ts";
import { mergeLists, type MergeValues } from "./heap/heap-namespaced-state.ts";
import type { StateTtlConfig } from "./ttl/state-ttl-config.ts";

/** Checks the options a backend is created with; returns its range, copied. */
export function checkedKeyGroupRange(range: KeyGroupRange, maxParallelism: number): KeyGroupRange {
  checkMaxParallelism(maxParallelism);
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.start > range.end || range.end >= maxParallelism) {
    throw invalidArgument(`key-group range ${range.start}..${range.end} is not a non-empty range within 0..${maxParallelism - 1}`);
  }
  return { start: range.start, end: range.end };
}

/** The key group of `key`, which must lie in `range`: WEIR_ERR_INTERNAL otherwise (a record routed to the wrong subtask). */
export function keyGroupInRange(key: unknown, range: KeyGroupRange, maxParallelism: number): number {
  const group = assignToKeyGroup(key, maxParallelism);
  if (group < range.start || group > range.end) {
    throw internalError(`key ${describeKey(key)} belongs to key group ${group}, outside this subtask's key-group range ${range.start}..${range.end}`);
  }
  return group;
}

/** What a backend knows of a registered or restored state name. */
export interface RegisteredState {
  readonly kind: StateKind;
  readonly namespaced: boolean;
  /** Undefined while the state was only restored, not asked for. */
  readonly state: unknown;
}

/** The names of the states a function asked for (not those only restored), in registration order. */
export function askedForNames(states: ReadonlyMap<string, RegisteredState>): string[] {
  const names: string[] = [];
  for (const [name, entry] of states) if (entry.state !== undefined) names.push(name);
  return names;
}

/** The registered state named `stateName`, which a function asked for; WEIR_ERR_INTERNAL otherwise. */
export function askedFor<E extends RegisteredState>(states: ReadonlyMap<string, E>, stateName: string): E {
  const entry = states.get(stateName);
  if (entry?.state === undefined) throw internalError(`no state named '${stateName}' is registered`);
  return entry;
}

/** Refuses a request for a known state name as another kind, or with(out) namespaces where it has none (has them). */
export function checkSameState(entry: RegisteredState, descriptor: StateDescriptor, namespaced: boolean): void {
  if (entry.kind === descriptor.kind && entry.namespaced === namespaced) return;
  const how = entry.state === undefined ? "was restored as" : "is registered as";
  throw new WeirError(
    "WEIR_ERR_STATE_CONFLICT",
    `state '${descriptor.name}' ${how} ${describeKind(entry.kind, entry.namespaced)} state and cannot also be ${describeKind(descriptor.kind, namespaced)} state`,
  );
}

/** Refuses restoring a state name as another kind than it is registered as. */
export function checkRestoredAsRegistered(name: string, entry: { kind: StateKind; namespaced: boolean }, restored: { kind: StateKind; namespaced: boolean }): void {
  if (entry.kind === restored.kind && entry.namespaced === restored.namespaced) return;
  throw new WeirError(
    "WEIR_ERR_STATE_CONFLICT",
    `state '${name}' is registered as ${describeKind(entry.kind, entry.namespaced)} state but was restored as ${describeKind(restored.kind, restored.namespaced)} state`,
  );
}

function describeKind(kind: StateKind, namespaced: boolean): string {
  return namespaced ? `namespaced ${kind}` : kind;
}

/** How values of a namespaced state merge, or the error that refuses it (value and map state; an aggregate function without merge). */
export function mergeFor(descriptor: StateDescriptor): MergeValues | WeirError {
  switch (descriptor.kind) {
    case "list":
      return mergeLists;
    case "reducing":
      return descriptor.reduce;
    case "aggregating": {
      const aggregate = descriptor.aggregate;
      if (aggregate.merge === undefined) return invalidArgument(`aggregating state '${descriptor.name}' cannot merge namespaces (merging windows): its aggregate function has no merge method`);
      return (a, b) => aggregate.merge!(a, b);
    }
    default:
      return internalError(`${descriptor.kind} state '${descriptor.name}' cannot merge namespaces`);
  }
}

function describeKey(key: unknown): string {
  const text = typeof key === "string" ? JSON.stringify(key) : typeof key === "bigint" ? `${key}n` : String(normalizeKey(key));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The descriptor's TTL, when enabled. */
export function ttlOf(descriptor: StateDescriptor): StateTtlConfig | undefined {
  const config = descriptor.ttlConfig;
  return config?.isEnabled() === true ? config : undefined;
}
