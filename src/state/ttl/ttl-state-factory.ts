/**
 * Wraps a backend's state in its TTL state when the descriptor enables TTL (Flink's
 * TtlStateFactory). The backend creates the wrapped state from the descriptor this module gives
 * it: the same kind and name, with reduce and aggregate functions over TtlValue wrappers.
 */
import { AggregatingStateDescriptor, ReducingStateDescriptor, type StateDescriptor } from "../descriptors.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state.ts";
import {
  TtlAggregatingState,
  TtlListState,
  TtlMapState,
  TtlReducingState,
  TtlValueState,
  ttlAggregate,
  ttlReduce,
  type TtlContext,
} from "./ttl-states.ts";
import type { TtlValue } from "./ttl-value.ts";

/** `createInner` makes the backend's own state for a descriptor, ignoring its TTL. */
export function createTtlState(descriptor: StateDescriptor, context: TtlContext, createInner: (descriptor: StateDescriptor) => State): State {
  switch (descriptor.kind) {
    case "value":
      return new TtlValueState(createInner(descriptor) as ValueState<TtlValue<unknown>>, context);
    case "list":
      return new TtlListState(createInner(descriptor) as ListState<TtlValue<unknown>>, context);
    case "map":
      return new TtlMapState(createInner(descriptor) as MapState<unknown, TtlValue<unknown>>, context);
    case "reducing": {
      const inner = new ReducingStateDescriptor(descriptor.name, ttlReduce(descriptor.reduce, context));
      return new TtlReducingState(createInner(inner as StateDescriptor) as ReducingState<TtlValue<unknown>>, context);
    }
    case "aggregating": {
      const inner = new AggregatingStateDescriptor(descriptor.name, ttlAggregate(descriptor.aggregate, context));
      return new TtlAggregatingState(createInner(inner as unknown as StateDescriptor) as AggregatingState<unknown, TtlValue<unknown>>, descriptor.aggregate, context);
    }
  }
}
