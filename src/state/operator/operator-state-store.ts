/**
 * The operator state of one operator instance (Flink's DefaultOperatorStateStore): named list
 * states, each split or union, and broadcast states. Restored state is this instance's part,
 * already redistributed (operator-state-repartitioner.ts) and deep-copied, so no two instances
 * share an object. State that was restored but not asked for again is kept in later snapshots.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import { WeirError } from "../../core/errors.ts";
import { checkDescriptorKind, checkUnversioned, type ListStateDescriptor, type MapStateDescriptor } from "../descriptors.ts";
import type { BroadcastState, OperatorStateStore } from "../operator-state.ts";
import type { ListState } from "../state.ts";
import { HeapBroadcastState } from "./broadcast-state.ts";
import { OperatorListState } from "./operator-list-state.ts";
import type { ListDistribution, OperatorStateSnapshot } from "./operator-state-snapshot.ts";

const LIST_KIND: Record<ListDistribution, string> = { split: "list state (getListState)", union: "union list state (getUnionListState)" };

export class DefaultOperatorStateStore implements OperatorStateStore {
  private readonly lists = new Map<string, OperatorListState<unknown>>();
  private readonly broadcasts = new Map<string, HeapBroadcastState<unknown, unknown>>();

  /** `restored` is this instance's part of a checkpoint's operator state; it is copied. */
  constructor(restored?: OperatorStateSnapshot) {
    if (restored === undefined) return;
    const own = deepCopy(restored);
    for (const [name, distribution, elements] of own.lists) this.lists.set(name, new OperatorListState(distribution, elements));
    for (const [name, entries] of own.broadcast) this.broadcasts.set(name, new HeapBroadcastState(name, entries));
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, "split", "getListState");
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, "union", "getUnionListState");
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    checkDescriptorKind(descriptor, "map", "getBroadcastState");
    checkUnversioned(descriptor, "getBroadcastState");
    const name = descriptor.name;
    if (this.lists.has(name)) throw conflict(name, "broadcast state", LIST_KIND[this.lists.get(name)!.distribution]);
    let state = this.broadcasts.get(name);
    if (state === undefined) this.broadcasts.set(name, (state = new HeapBroadcastState(name)));
    return state as HeapBroadcastState<K, V>;
  }

  getRegisteredStateNames(): Set<string> {
    return new Set(this.lists.keys());
  }

  getRegisteredBroadcastStateNames(): Set<string> {
    return new Set(this.broadcasts.keys());
  }

  /** Every state as it is now, or undefined when there is none; the caller encodes it at once. */
  snapshot(): OperatorStateSnapshot | undefined {
    if (this.lists.size === 0 && this.broadcasts.size === 0) return undefined;
    return {
      lists: [...this.lists].map(([name, state]) => [name, state.distribution, state.snapshot()] as const),
      broadcast: [...this.broadcasts].map(([name, state]) => [name, state.snapshot()] as const),
    };
  }

  private list<T>(descriptor: ListStateDescriptor<T>, distribution: ListDistribution, call: string): ListState<T> {
    checkDescriptorKind(descriptor, "list", call);
    checkUnversioned(descriptor, call);
    const name = descriptor.name;
    if (this.broadcasts.has(name)) throw conflict(name, LIST_KIND[distribution], "broadcast state");
    let state = this.lists.get(name);
    if (state === undefined) this.lists.set(name, (state = new OperatorListState(distribution)));
    else if (state.distribution !== distribution) throw conflict(name, LIST_KIND[distribution], LIST_KIND[state.distribution]);
    return state as OperatorListState<T>;
  }
}

function conflict(name: string, asked: string, registered: string): WeirError {
  return new WeirError("WEIR_ERR_STATE_CONFLICT", `operator state '${name}' is ${registered} and cannot also be ${asked}`);
}
