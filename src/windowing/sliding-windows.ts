/**
 * Sliding windows: windows of `size` ms starting every `slide` ms, aligned to the epoch plus
 * `offset` (Flink's SlidingEventTimeWindows and SlidingProcessingTimeWindows). An element is in
 * every window whose [start, start + size) holds its time: size / slide windows when the slide
 * divides the size. Weir refuses a slide larger than the size (such windows would drop elements).
 */
import { EventTimeTrigger } from "./event-time-trigger.ts";
import { ProcessingTimeTrigger } from "./processing-time-trigger.ts";
import { requireTimestamp } from "./record-timestamp.ts";
import type { Trigger } from "./trigger.ts";
import { checkOffset, checkPositive, invalidWindow } from "./window-arguments.ts";
import { WindowAssigner, type WindowAssignerContext } from "./window-assigner.ts";
import { TimeWindow, timeWindowSerializer, type WindowSerializer } from "./windows.ts";

abstract class SlidingWindows extends WindowAssigner<unknown, TimeWindow> {
  /**
   * The windows given last, latest start first. Their objects are given again while elements fall
   * in them (one object per window, so what it caches, its normalized form as a state and timer
   * namespace, serves all its elements); when time moves one slide on, all but one carry over.
   */
  #last: TimeWindow[] = [];

  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
  }

  /** The windows holding `time`, latest start first (as Flink lists them). */
  protected windowsOf(time: number): TimeWindow[] {
    const { size, slide } = this;
    const lastStart = TimeWindow.getWindowStartWithOffset(time, this.offset, slide);
    let count = 0;
    for (let start = lastStart; start > time - size; start -= slide) count++;
    const last = this.#last;
    // The same windows as last time (when the slide does not divide the size, the count depends on where in the slide `time` is).
    if (last.length === count && last[0]!.start === lastStart) return last.slice();
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > time - size; start -= slide) windows.push(windowStarting(last, start) ?? new TimeWindow(start, start + size));
    this.#last = windows;
    return windows.slice();
  }

  getSize(): number {
    return this.size;
  }

  getSlide(): number {
    return this.slide;
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return timeWindowSerializer;
  }
}

/** The window of `windows` that starts at `start`, if any. */
function windowStarting(windows: readonly TimeWindow[], start: number): TimeWindow | undefined {
  for (const window of windows) if (window.start === start) return window;
  return undefined;
}

function checked(owner: string, size: number, slide: number, offset: number): [number, number, number] {
  checkPositive(owner, "size", size);
  checkPositive(owner, "slide", slide);
  if (slide > size) throw invalidWindow(`${owner}: the slide (${slide} ms) must not be larger than the size (${size} ms)`);
  return [size, slide, checkOffset(owner, offset, "slide", slide)];
}

export class SlidingEventTimeWindows extends SlidingWindows {
  /** Windows of `size` ms every `slide` ms (0 < slide ≤ size), aligned to `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(...checked("SlidingEventTimeWindows.of", size, slide, offset));
  }

  assignWindows(_element: unknown, timestamp: number | undefined, _context: WindowAssignerContext): TimeWindow[] {
    return this.windowsOf(requireTimestamp("SlidingEventTimeWindows", timestamp));
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}

export class SlidingProcessingTimeWindows extends SlidingWindows {
  /** Windows of `size` ms every `slide` ms (0 < slide ≤ size), aligned to `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(...checked("SlidingProcessingTimeWindows.of", size, slide, offset));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    return this.windowsOf(context.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}
