/** Public entry of windowing: windows, assigners, triggers, evictors, lateness rules and window function shapes. */
export { GlobalWindow, MAX_TIMESTAMP, TimeWindow, Window, globalWindowSerializer, timeWindowSerializer, type WindowSerializer } from "./windows.ts";
export { MergingWindowAssigner, WindowAssigner, isMergingWindowAssigner, type MergeCallback, type WindowAssignerContext } from "./window-assigner.ts";
export { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from "./tumbling-windows.ts";
export { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from "./sliding-windows.ts";
export {
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from "./session-windows.ts";
export { GlobalWindows } from "./global-windows.ts";
export { Trigger, TriggerResult, type MergeableStateDescriptor, type OnMergeContext, type TriggerContext } from "./trigger.ts";
export { EventTimeTrigger } from "./event-time-trigger.ts";
export { ProcessingTimeTrigger } from "./processing-time-trigger.ts";
export { CountTrigger } from "./count-trigger.ts";
export { PurgingTrigger } from "./purging-trigger.ts";
export { NeverTrigger } from "./never-trigger.ts";
export { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from "./continuous-triggers.ts";
export { TimestampedValue, type Evictor, type EvictorContext } from "./evictor.ts";
export { CountEvictor, DeltaEvictor, TimeEvictor, type DeltaFunction } from "./evictors.ts";
export { checkAllowedLateness, cleanupTime, isElementLate, isWindowLate } from "./lateness.ts";
export { MergingWindowSet, type MergeFunction, type StoredWindowMapping } from "./merging-window-set.ts";
export { countWindow, type WindowSpec } from "./count-windows.ts";
export {
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  iterableAllWindowFunction,
  iterableProcessAllWindowFunction,
  iterableProcessWindowFunction,
  iterableWindowFunction,
  passThroughWindowFunction,
  singleValue,
  singleValueProcessWindowFunction,
  singleValueWindowFunction,
  type AllWindowFunction,
  type InternalWindowFunction,
  type ProcessWindowFunctionContext,
  type WindowFunction,
} from "./window-functions.ts";
