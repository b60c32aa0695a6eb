/**
 * The operator state of one operator instance (Flink's DefaultOperatorStateStore): named list
 * states, each split or union, and broadcast states. Restored state is this instance's part,
 * already redistributed (operator-state-repartitioner.ts) and deep-copied, so no two instances
 * share an object. State that was restored but not asked for again is kept in later snapshots.
 *
 * Schema versions (see state/descriptors.ts): each state keeps the version of its elements (list)
 * or values (broadcast). The first time a function asks for a restored state, what was restored
 * at an older version is migrated, all of it, by the descriptor's `migrate` (each list element,
 * each broadcast value; keys stay); a version it cannot migrate from is
 * WEIR_ERR_STATE_MIGRATION_MISSING. Until then restored elements keep their versions, also in
 * snapshots.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import { WeirError } from "../../core/errors.ts";
import { checkDescriptorKind, type ListStateDescriptor, type MapStateDescriptor } from "../descriptors.ts";
import type { BroadcastState, OperatorStateStore } from "../operator-state.ts";
import { migrationMissing, versionChange } from "../schema-versions.ts";
import type { ListState } from "../state.ts";
import { HeapBroadcastState } from "./broadcast-state.ts";
import { OperatorListState } from "./operator-list-state.ts";
import { listEntry, type ListDistribution, type OperatorStateSnapshot } from "./operator-state-snapshot.ts";

const LIST_KIND: Record<ListDistribution, string> = { split: "list state (getListState)", union: "union list state (getUnionListState)" };

/** A state's version, and for a list restored but not asked for yet, its elements of other versions. */
interface Schema {
  version: number;
  asked: boolean;
  /** Whether the descriptor it was asked for with has a migrate function; false until asked. */
  migrates: boolean;
  older: { readonly version: number; readonly elements: unknown[] }[];
}

/** How an operator state is distributed on restore: split list, union list, or broadcast. */
export type OperatorStateKind = ListDistribution | "broadcast";

/** An operator state a function asked for, as its descriptor describes it. */
export interface AskedOperatorState {
  readonly name: string;
  readonly kind: OperatorStateKind;
  readonly version: number;
  readonly migrates: boolean;
}

export class DefaultOperatorStateStore implements OperatorStateStore {
  private readonly lists = new Map<string, OperatorListState<unknown>>();
  private readonly broadcasts = new Map<string, HeapBroadcastState<unknown, unknown>>();
  private readonly schemas = new Map<string, Schema>();

  /** `restored` is this instance's part of a checkpoint's operator state; it is copied. `operator` names the operator in errors. */
  constructor(
    restored?: OperatorStateSnapshot,
    private readonly operator?: string,
  ) {
    if (restored === undefined) return;
    const own = deepCopy(restored);
    for (const [name, distribution, elements, version = 1] of own.lists) {
      const schema = this.schemas.get(name);
      if (schema === undefined) {
        this.lists.set(name, new OperatorListState(distribution, elements));
        this.schemas.set(name, { version, asked: false, migrates: false, older: [] });
      } else schema.older.push({ version, elements: [...elements] });
    }
    for (const [name, entries, version = 1] of own.broadcast) {
      this.broadcasts.set(name, new HeapBroadcastState(name, entries));
      this.schemas.set(name, { version, asked: false, migrates: false, older: [] });
    }
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, "split", "getListState");
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, "union", "getUnionListState");
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    checkDescriptorKind(descriptor, "map", "getBroadcastState");
    const name = descriptor.name;
    if (this.lists.has(name)) throw conflict(name, "broadcast state", LIST_KIND[this.lists.get(name)!.distribution]);
    let state = this.broadcasts.get(name);
    if (state === undefined) {
      this.broadcasts.set(name, (state = new HeapBroadcastState(name)));
      this.schemas.set(name, { version: descriptor.version, asked: true, migrates: descriptor.migrate !== undefined, older: [] });
    } else {
      const migrate = this.migration(name, descriptor);
      if (migrate !== undefined) {
        const entries = [...state.immutableEntries()].map(([key, value]): [unknown, unknown] => [key, migrate(value)]);
        this.broadcasts.set(name, (state = new HeapBroadcastState(name, entries)));
      }
    }
    return state as HeapBroadcastState<K, V>;
  }

  getRegisteredStateNames(): Set<string> {
    return new Set(this.lists.keys());
  }

  getRegisteredBroadcastStateNames(): Set<string> {
    return new Set(this.broadcasts.keys());
  }

  /** The states a function asked for so far (restored ones nobody asked for are left out). */
  askedStates(): AskedOperatorState[] {
    const asked = (name: string, kind: OperatorStateKind): AskedOperatorState[] => {
      const schema = this.schemas.get(name)!;
      return schema.asked ? [{ name, kind, version: schema.version, migrates: schema.migrates }] : [];
    };
    return [...[...this.lists].flatMap(([name, state]) => asked(name, state.distribution)), ...[...this.broadcasts.keys()].flatMap((name) => asked(name, "broadcast"))];
  }

  /** Every state as it is now, or undefined when there is none; the caller encodes it at once. */
  snapshot(): OperatorStateSnapshot | undefined {
    if (this.lists.size === 0 && this.broadcasts.size === 0) return undefined;
    const version = (name: string): number => this.schemas.get(name)!.version;
    return {
      lists: [...this.lists].flatMap(([name, state]) => [
        listEntry(name, state.distribution, state.snapshot(), version(name)),
        ...this.schemas.get(name)!.older.map((o) => listEntry(name, state.distribution, o.elements, o.version)),
      ]),
      broadcast: [...this.broadcasts].map(([name, state]) => (version(name) === 1 ? ([name, state.snapshot()] as const) : ([name, state.snapshot(), version(name)] as const))),
    };
  }

  private list<T>(descriptor: ListStateDescriptor<T>, distribution: ListDistribution, call: string): ListState<T> {
    checkDescriptorKind(descriptor, "list", call);
    const name = descriptor.name;
    if (this.broadcasts.has(name)) throw conflict(name, LIST_KIND[distribution], "broadcast state");
    let state = this.lists.get(name);
    if (state === undefined) {
      this.lists.set(name, (state = new OperatorListState(distribution)));
      this.schemas.set(name, { version: descriptor.version, asked: true, migrates: descriptor.migrate !== undefined, older: [] });
    } else if (state.distribution !== distribution) throw conflict(name, LIST_KIND[distribution], LIST_KIND[state.distribution]);
    else {
      const schema = this.schemas.get(name)!;
      const parts = [{ version: schema.version, elements: state.snapshot() as unknown[] }, ...schema.older];
      const migrate = this.migration(name, descriptor, schema.older.map((o) => o.version));
      if (migrate !== undefined || parts.length > 1) {
        const elements = parts.flatMap((part) => (part.version === descriptor.version ? part.elements : part.elements.map((e) => migrateFrom(descriptor, e, part.version))));
        state.update(elements.filter((e) => e !== undefined));
      }
    }
    return state as OperatorListState<T>;
  }

  /**
   * On the first request for a restored state: refuses versions the descriptor cannot migrate
   * from, records the state as being of its version, and returns how to migrate an item of the
   * state's main version (undefined when it is the descriptor's).
   */
  private migration(name: string, descriptor: ListStateDescriptor<unknown> | MapStateDescriptor<unknown, unknown>, others: readonly number[] = []): ((item: unknown) => unknown) | undefined {
    const schema = this.schemas.get(name)!;
    if (schema.asked) return undefined;
    const from = schema.version;
    for (const version of [from, ...others]) {
      const change = versionChange(version, descriptor.version, descriptor.migrate !== undefined);
      if (change !== "unchanged" && change !== "migrated") throw migrationMissing(this.operator, name, version, descriptor.version);
    }
    schema.asked = true;
    schema.migrates = descriptor.migrate !== undefined;
    schema.version = descriptor.version;
    schema.older = [];
    return from === descriptor.version ? undefined : (item) => migrateFrom(descriptor, item, from);
  }
}

function migrateFrom(descriptor: { readonly migrate: ((old: unknown, fromVersion: number) => unknown) | undefined }, item: unknown, fromVersion: number): unknown {
  return descriptor.migrate!(item, fromVersion);
}

function conflict(name: string, asked: string, registered: string): WeirError {
  return new WeirError("WEIR_ERR_STATE_CONFLICT", `operator state '${name}' is ${registered} and cannot also be ${asked}`);
}
