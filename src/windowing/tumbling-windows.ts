/**
 * Tumbling windows: fixed-size, non-overlapping windows, aligned to the epoch plus `offset`
 * (Flink's TumblingEventTimeWindows and TumblingProcessingTimeWindows). An offset shifts the
 * alignment, e.g. `of(DAY, -8 * HOUR)` for days in UTC+8. Each element is in exactly one window.
 */
import { EventTimeTrigger } from "./event-time-trigger.ts";
import { ProcessingTimeTrigger } from "./processing-time-trigger.ts";
import { requireTimestamp } from "./record-timestamp.ts";
import type { Trigger } from "./trigger.ts";
import { checkOffset, checkPositive } from "./window-arguments.ts";
import { WindowAssigner, type WindowAssignerContext } from "./window-assigner.ts";
import { TimeWindow, timeWindowSerializer, type WindowSerializer } from "./windows.ts";

abstract class TumblingWindows extends WindowAssigner<unknown, TimeWindow> {
  /**
   * The window given last, given again while elements fall in it: one object per window, so what
   * it caches (its normalized form as a state and timer namespace) serves all its elements.
   */
  #last: TimeWindow | undefined;

  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
  }

  protected windowOf(time: number): TimeWindow[] {
    let window = this.#last;
    // A time inside the last window is in it (windows do not overlap): no division for it.
    if (window !== undefined && time >= window.start && time < window.end) return [window];
    const start = TimeWindow.getWindowStartWithOffset(time, this.offset, this.size);
    if (window === undefined || window.start !== start) this.#last = window = new TimeWindow(start, start + this.size);
    return [window];
  }

  getSize(): number {
    return this.size;
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return timeWindowSerializer;
  }
}

function checked(owner: string, size: number, offset: number): [number, number] {
  checkPositive(owner, "size", size);
  return [size, checkOffset(owner, offset, "size", size)];
}

export class TumblingEventTimeWindows extends TumblingWindows {
  /** Windows of `size` ms aligned to `offset` (|offset| < size); else WEIR_ERR_INVALID_WINDOW. */
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(...checked("TumblingEventTimeWindows.of", size, offset));
  }

  assignWindows(_element: unknown, timestamp: number | undefined, _context: WindowAssignerContext): TimeWindow[] {
    return this.windowOf(requireTimestamp("TumblingEventTimeWindows", timestamp));
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}

export class TumblingProcessingTimeWindows extends TumblingWindows {
  /** Windows of `size` ms aligned to `offset` (|offset| < size); else WEIR_ERR_INVALID_WINDOW. */
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(...checked("TumblingProcessingTimeWindows.of", size, offset));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    return this.windowOf(context.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}
