/** Public entry of the state layer: descriptors, the state a user function sees, keyed state backends and timers. */
export {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
  type ReduceFn,
  type StateSchemaOptions,
  type StateDescriptor,
  type StateKind,
} from "./descriptors.ts";
export {
  StateTtlConfig,
  StateTtlConfigBuilder,
  StateVisibility,
  TtlTimeCharacteristic,
  UpdateType,
  type CleanupStrategies,
} from "./ttl/state-ttl-config.ts";
export type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "./state.ts";
export type { KeyedStateBackend, KeyedStateBackendOptions } from "./keyed-state-backend.ts";
export type { KeyedStateSnapshot } from "./keyed-state-snapshot.ts";
export {
  createKeyedStateBackend,
  DEFAULT_STATE_BACKEND,
  stateBackendNames,
  type KeyedStateBackendFactory,
  type StateBackendName,
} from "./state-backends.ts";
export { HeapKeyedStateBackend, type HeapKeyedStateBackendOptions } from "./heap/heap-keyed-state-backend.ts";
export { UserMapEntry } from "./heap/heap-map-state.ts";
export { TimerQueue, VOID_NAMESPACE, type InternalTimer } from "./timer-queue.ts";
export { InternalTimerService, TimeDomain, type TimerEntry, type TimerKeyContext, type TimerTrigger } from "./internal-timer-service.ts";
