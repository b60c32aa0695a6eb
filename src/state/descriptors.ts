/**
 * State descriptors name a piece of keyed state and say what kind it is. A function asks its
 * runtime context for state by descriptor, normally in `open`; the same name always yields the
 * same state, and asking for one name with two different kinds is an error. Keyed state of any
 * kind may be given a time-to-live with `enableTimeToLive` (see state/ttl).
 *
 * Schema evolution: a descriptor carries the `version` of what its state stores (1 unless given)
 * and may carry `migrate(old, fromVersion)`, which turns one stored item written at an older
 * version into one of this version: a value state's value, each element of a list state, each
 * value of a map state (its keys stay), a reducing state's value, an aggregating state's
 * accumulator. Checkpoints record each state's version; restored state of an older version is
 * migrated, all of it, when the function first asks for the state (see docs/state.md). A version
 * that grew without a `migrate`, or a restored version above the descriptor's, is refused with
 * WEIR_ERR_STATE_MIGRATION_MISSING.
 */
import { invalidArgument, WeirError } from "../core/errors.ts";
import { StateTtlConfig } from "./ttl/state-ttl-config.ts";

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /**
   * Combines two accumulators into one (it may change and return either): the accumulator of both
   * one's inputs and the other's. Needed where accumulators of two namespaces are merged (merging
   * windows); sliding event-time windows use it, when given, to merge per-pane accumulators; plain
   * keyed state never calls it. Leave it out rather than give a placeholder that does not merge.
   */
  merge?(a: ACC, b: ACC): ACC;
}

/** The schema of what a state stores: its version and how to bring older items up to it. */
export interface StateSchemaOptions<S> {
  /** The version of what the state stores: a positive integer; 1 when absent. */
  readonly version?: number;
  /**
   * One stored item written at `fromVersion` (below `version`) as an item of `version`. It may
   * change `old` in place and return it. For value, reducing and aggregating state, returning
   * undefined clears the key's entry; for list state it drops the element.
   */
  readonly migrate?: (old: unknown, fromVersion: number) => S;
}

/** What every descriptor has: its name, its schema version and, when enabled, its time-to-live. */
abstract class StateDescriptorBase<S> {
  /** @internal Set by `enableTimeToLive`. */
  ttlConfig: StateTtlConfig | undefined = undefined;
  /** The version of what the state stores (see the module header). */
  readonly version: number;
  /** Brings an item of an older version up to `version`; undefined when the state has no migration. */
  readonly migrate: ((old: unknown, fromVersion: number) => S) | undefined;

  constructor(
    readonly name: string,
    schema: StateSchemaOptions<S> = {},
  ) {
    if (typeof name !== "string" || name.length === 0) throw invalidArgument(`a state descriptor needs a non-empty name, got ${JSON.stringify(name)}`);
    const { version = 1, migrate } = schema;
    if (!Number.isSafeInteger(version) || version < 1) throw invalidArgument(`the version of state '${name}' must be a positive integer, got ${String(version)}`);
    if (migrate !== undefined && typeof migrate !== "function") throw invalidArgument(`the migrate of state '${name}' must be a function (old, fromVersion) => new, got ${typeof migrate}`);
    this.version = version;
    this.migrate = migrate;
  }

  getName(): string {
    return this.name;
  }

  /**
   * Values of this state expire `config.getTtl()` ms after their last access (keyed state only;
   * operator and broadcast state ignore it, as in Flink). A config whose update type is Disabled
   * turns TTL off.
   */
  enableTimeToLive(config: StateTtlConfig): void {
    if (!(config instanceof StateTtlConfig)) {
      throw invalidArgument(`enableTimeToLive of state '${this.name}' needs a StateTtlConfig made by StateTtlConfig.newBuilder(ttlMs).build()`);
    }
    this.ttlConfig = config;
  }

  getTtlConfig(): StateTtlConfig | undefined {
    return this.ttlConfig;
  }

  isTtlEnabled(): boolean {
    return this.ttlConfig?.isEnabled() === true;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptorBase<T> {
  readonly kind = "value";
  declare readonly __type?: T;
}

/** `migrate` applies to each element. */
export class ListStateDescriptor<T> extends StateDescriptorBase<T> {
  readonly kind = "list";
  declare readonly __type?: T;
}

/** `migrate` applies to each value; keys are kept as they are. */
export class MapStateDescriptor<K, V> extends StateDescriptorBase<V> {
  readonly kind = "map";
  declare readonly __type?: [K, V];
}

/**
 * Folds two values into one. Declared as a method type so that a descriptor of any `T` is a
 * `StateDescriptor` (function-typed properties would make `ReducingStateDescriptor` invariant).
 */
export type ReduceFn<T> = { reduce(accumulated: T, value: T): T }["reduce"];

export class ReducingStateDescriptor<T> extends StateDescriptorBase<T> {
  readonly kind = "reducing";
  constructor(
    name: string,
    readonly reduce: ReduceFn<T>,
    schema?: StateSchemaOptions<T>,
  ) {
    super(name, schema);
  }
}

/** `migrate` applies to the accumulator. */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptorBase<ACC> {
  readonly kind = "aggregating";
  constructor(
    name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
    schema?: StateSchemaOptions<ACC>,
  ) {
    super(name, schema);
  }
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

/** The kind of a piece of keyed state, as its descriptor names it. */
export type StateKind = StateDescriptor["kind"];

/** Refuses a descriptor that is not of `kind`, naming the call; JavaScript callers pass anything. */
export function checkDescriptorKind(descriptor: unknown, kind: StateDescriptor["kind"], call: string): void {
  const given = descriptor as Partial<StateDescriptor> | null | undefined;
  if (given?.kind === kind && typeof given.name === "string") return;
  const what = given?.kind === undefined ? String(descriptor) : `a ${given.kind} state descriptor ('${String(given.name)}')`;
  const needed = `${kind[0]!.toUpperCase()}${kind.slice(1)}StateDescriptor`;
  throw new WeirError("WEIR_ERR_STATE_DESCRIPTOR_KIND", `${call} needs a ${needed}, got ${what}`);
}
