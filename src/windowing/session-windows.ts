/**
 * Session windows: each element opens the window [time, time + gap), and windows that overlap or
 * touch merge, so a session ends after `gap` ms without elements (Flink's EventTimeSessionWindows,
 * ProcessingTimeSessionWindows and their dynamic-gap forms, whose gap is computed per element).
 */
import { EventTimeTrigger } from "./event-time-trigger.ts";
import { ProcessingTimeTrigger } from "./processing-time-trigger.ts";
import { requireTimestamp } from "./record-timestamp.ts";
import type { Trigger } from "./trigger.ts";
import { checkPositive, invalidWindow } from "./window-arguments.ts";
import { MergingWindowAssigner, type MergeCallback, type WindowAssignerContext } from "./window-assigner.ts";
import { TimeWindow, timeWindowSerializer, type WindowSerializer } from "./windows.ts";

/** Computes an element's session gap in ms (Flink's SessionWindowTimeGapExtractor); a function or an object. */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

abstract class SessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  protected abstract gapOf(element: T): number;

  protected windowAt(element: T, time: number): TimeWindow[] {
    return [new TimeWindow(time, time + this.gapOf(element))];
  }

  mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return timeWindowSerializer;
  }
}

abstract class EventTimeSessions<T> extends SessionWindows<T> {
  assignWindows(element: T, timestamp: number | undefined, _context: WindowAssignerContext): TimeWindow[] {
    return this.windowAt(element, requireTimestamp(this.constructor.name, timestamp));
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }
}

abstract class ProcessingTimeSessions<T> extends SessionWindows<T> {
  assignWindows(element: T, _timestamp: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    return this.windowAt(element, context.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }
}

/** The extractor as a function, decided once rather than per element. */
function extractorFunction<T>(extractor: SessionWindowTimeGapExtractor<T>): (element: T) => unknown {
  return typeof extractor === "function" ? extractor : (element) => extractor.extract(element);
}

/** Applies an extractor, refusing a gap that is not above 0 (known only per element). */
function dynamicGap<T>(owner: string, extract: (element: T) => unknown, element: T): number {
  const gap = extract(element);
  if (typeof gap !== "number" || !Number.isFinite(gap) || gap <= 0) throw invalidWindow(`${owner}: the gap extractor returned ${String(gap)} for an element; a session gap must be above 0 ms`);
  return gap;
}

export class EventTimeSessionWindows extends EventTimeSessions<unknown> {
  private constructor(private readonly gap: number) {
    super();
  }

  /** Sessions that end after `gap` ms of event time without elements; `gap` must be above 0. */
  static withGap(gap: number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(checkPositive("EventTimeSessionWindows.withGap", "gap", gap));
  }

  /** Sessions whose gap each element sets through `extractor`. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return DynamicEventTimeSessionWindows.withDynamicGap(extractor);
  }

  getGap(): number {
    return this.gap;
  }

  protected gapOf(): number {
    return this.gap;
  }

  override toString(): string {
    return `EventTimeSessionWindows(${this.gap})`;
  }
}

export class DynamicEventTimeSessionWindows<T> extends EventTimeSessions<T> {
  private readonly extract: (element: T) => unknown;

  private constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    super();
    this.extract = extractorFunction(extractor);
  }

  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    checkExtractor("DynamicEventTimeSessionWindows.withDynamicGap", extractor);
    return new DynamicEventTimeSessionWindows(extractor);
  }

  protected gapOf(element: T): number {
    return dynamicGap("DynamicEventTimeSessionWindows", this.extract, element);
  }

  override toString(): string {
    return "DynamicEventTimeSessionWindows()";
  }
}

export class ProcessingTimeSessionWindows extends ProcessingTimeSessions<unknown> {
  private constructor(private readonly gap: number) {
    super();
  }

  /** Sessions that end after `gap` ms of processing time without elements; `gap` must be above 0. */
  static withGap(gap: number): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(checkPositive("ProcessingTimeSessionWindows.withGap", "gap", gap));
  }

  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return DynamicProcessingTimeSessionWindows.withDynamicGap(extractor);
  }

  getGap(): number {
    return this.gap;
  }

  protected gapOf(): number {
    return this.gap;
  }

  override toString(): string {
    return `ProcessingTimeSessionWindows(${this.gap})`;
  }
}

export class DynamicProcessingTimeSessionWindows<T> extends ProcessingTimeSessions<T> {
  private readonly extract: (element: T) => unknown;

  private constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    super();
    this.extract = extractorFunction(extractor);
  }

  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    checkExtractor("DynamicProcessingTimeSessionWindows.withDynamicGap", extractor);
    return new DynamicProcessingTimeSessionWindows(extractor);
  }

  protected gapOf(element: T): number {
    return dynamicGap("DynamicProcessingTimeSessionWindows", this.extract, element);
  }

  override toString(): string {
    return "DynamicProcessingTimeSessionWindows()";
  }
}

function checkExtractor(owner: string, extractor: unknown): void {
  const ok = typeof extractor === "function" || (typeof extractor === "object" && extractor !== null && typeof (extractor as { extract?: unknown }).extract === "function");
  if (!ok) throw invalidWindow(`${owner}: the gap extractor must be a function or an object with an extract(element) method, got ${typeof extractor}`);
}
