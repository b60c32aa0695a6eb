/**
 * A TriggerContext for tests, as the window operator will give one: trigger state is namespaced
 * keyed state of a heap backend (namespace = window), timers are recorded per (window, time), and
 * the clocks are set by the test.
 */
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";
import type { StateDescriptor } from "../../src/state/descriptors.ts";
import type { InternalKvState, InternalMergingState } from "../../src/state/namespaced-state.ts";
import type { State } from "../../src/state/state.ts";
import type { MergeableStateDescriptor, OnMergeContext, Trigger, TriggerResult } from "../../src/windowing/trigger.ts";
import type { Window } from "../../src/windowing/windows.ts";

export class TriggerHarness<T, W extends Window> {
  readonly backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  watermark = Number.MIN_SAFE_INTEGER;
  processingTime = 0;
  /** Registered timers as "event@time" / "processing@time", per window's string form. */
  readonly timers = new Map<string, Set<string>>();
  private window: W | undefined;
  private mergedWindows: W[] = [];

  constructor(
    readonly trigger: Trigger<T, W>,
    key: unknown = "key",
  ) {
    this.backend.setCurrentKey(key);
  }

  timersOf(window: W): string[] {
    return [...(this.timers.get(String(window)) ?? [])].sort();
  }

  onElement(element: T, timestamp: number | undefined, window: W): TriggerResult {
    return this.trigger.onElement(element, timestamp, window, this.context(window));
  }

  onEventTime(time: number, window: W): TriggerResult {
    return this.trigger.onEventTime(time, window, this.context(window));
  }

  onProcessingTime(time: number, window: W): TriggerResult {
    return this.trigger.onProcessingTime(time, window, this.context(window));
  }

  onMerge(window: W, merged: W[]): void {
    this.mergedWindows = merged;
    this.trigger.onMerge(window, this.context(window));
  }

  clear(window: W): void {
    this.trigger.clear(window, this.context(window));
  }

  private timerSet(window: W): Set<string> {
    let set = this.timers.get(String(window));
    if (set === undefined) this.timers.set(String(window), (set = new Set()));
    return set;
  }

  private state(descriptor: StateDescriptor, window: W): State {
    const handle = this.backend.getNamespacedState<W>(descriptor);
    handle.setCurrentNamespace(window);
    return handle.state;
  }

  context(window: W): OnMergeContext {
    this.window = window;
    return {
      getCurrentProcessingTime: () => this.processingTime,
      getCurrentWatermark: () => this.watermark,
      registerEventTimeTimer: (time) => void this.timerSet(window).add(`event@${time}`),
      registerProcessingTimeTimer: (time) => void this.timerSet(window).add(`processing@${time}`),
      deleteEventTimeTimer: (time) => void this.timerSet(window).delete(`event@${time}`),
      deleteProcessingTimeTimer: (time) => void this.timerSet(window).delete(`processing@${time}`),
      getPartitionedState: ((descriptor: StateDescriptor) => this.state(descriptor, window)) as OnMergeContext["getPartitionedState"],
      mergePartitionedState: (descriptor: MergeableStateDescriptor) => {
        const handle = this.backend.getNamespacedState<W>(descriptor) as InternalKvState<W, State> as InternalMergingState<W, State>;
        handle.mergeNamespaces(this.window!, this.mergedWindows);
      },
    };
  }
}
