/** The RuntimeContext a user function receives in `open`: where it runs, and its keyed state. */
import type { KeyedStateStore, RuntimeContext } from "../api/functions.ts";
import type { JobArgs } from "../api/job-args.ts";
import { WeirError } from "../core/errors.ts";
import {
  checkDescriptorKind,
  type AggregatingStateDescriptor,
  type ListStateDescriptor,
  type MapStateDescriptor,
  type ReducingStateDescriptor,
  type StateDescriptor,
  type ValueStateDescriptor,
} from "../state/descriptors.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state/state.ts";
import type { KeyedServices } from "./keyed-services.ts";

/**
 * A KeyedStateStore whose getters refuse a descriptor of another kind (naming the call) and take
 * the state from `stateOf`: the runtime context's keyed state, a window's per-window state.
 */
export abstract class CheckedKeyedStateStore implements KeyedStateStore {
  /** The state named by `descriptor`, whose kind was checked; `call` names the getter for errors. */
  protected abstract stateOf(descriptor: StateDescriptor, call: string): State;

  private state(descriptor: StateDescriptor, kind: StateDescriptor["kind"], call: string): State {
    checkDescriptorKind(descriptor, kind, call);
    return this.stateOf(descriptor, call);
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.state(descriptor as StateDescriptor, "value", "getState") as ValueState<T>;
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.state(descriptor as StateDescriptor, "list", "getListState") as ListState<T>;
  }

  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.state(descriptor as StateDescriptor, "map", "getMapState") as MapState<K, V>;
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.state(descriptor as StateDescriptor, "reducing", "getReducingState") as ReducingState<T>;
  }

  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.state(descriptor as unknown as StateDescriptor, "aggregating", "getAggregatingState") as AggregatingState<IN, OUT>;
  }
}

export class StreamingRuntimeContext extends CheckedKeyedStateStore implements RuntimeContext {
  constructor(
    readonly operatorName: string,
    readonly subtaskIndex: number,
    readonly parallelism: number,
    readonly maxParallelism: number,
    readonly args: JobArgs,
    private readonly keyed: KeyedServices | undefined,
  ) {
    super();
  }

  protected stateOf(descriptor: StateDescriptor): State {
    if (this.keyed === undefined) {
      throw new WeirError(
        "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
        `operator '${this.operatorName}' asked for keyed state '${descriptor.name}', but it does not run on a keyed stream: apply keyBy() before it`,
      );
    }
    return this.keyed.backend.getState(descriptor);
  }
}
