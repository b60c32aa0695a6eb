/**
 * Window assigners place each element in zero or more windows (Flink's WindowAssigner), as pure
 * functions of the element, its timestamp and the processing-time clock. Merging assigners
 * (sessions) also say which windows merge.
 */
import type { Trigger } from "./trigger.ts";
import type { Window, WindowSerializer } from "./windows.ts";

/** What an assigner may know besides the element: the processing-time clock (injected, for tests). */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

export abstract class WindowAssigner<T, W extends Window> {
  /** The windows `element` (with event timestamp `timestamp`, undefined when it has none) belongs to. */
  abstract assignWindows(element: T, timestamp: number | undefined, context: WindowAssignerContext): W[];
  /** The trigger used when the job names none. */
  abstract getDefaultTrigger(): Trigger<T, W>;
  /** How the windows are stored in checkpointed state (and as timer namespaces). */
  abstract getWindowSerializer(): WindowSerializer<W>;
  /** Whether windows end by event time (watermarks) rather than by the processing-time clock. */
  abstract isEventTime(): boolean;
}

/** Receives each merge an assigner finds: the windows that merge, and the window that covers them. */
export type MergeCallback<W extends Window> = (toBeMerged: W[], mergeResult: W) => void;

export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Finds which of `windows` merge, reporting each group of two or more to `callback`. */
  abstract mergeWindows(windows: Iterable<W>, callback: MergeCallback<W>): void;
}

export function isMergingWindowAssigner<T, W extends Window>(assigner: WindowAssigner<T, W>): assigner is MergingWindowAssigner<T, W> {
  return assigner instanceof MergingWindowAssigner;
}
