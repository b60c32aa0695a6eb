/**
 * Panes of sliding windows: the time arithmetic a window operator needs to keep one accumulator
 * per (key, pane) instead of one per (key, window) (the "panes" of stream-processing literature,
 * the slices of Flink's table runtime). A pane is `paneSize = gcd(size, slide)` ms long and aligned
 * to the windows' offset, so every window is exactly the panes between its start and end, and an
 * element, which is in size / slide windows, is in one pane.
 *
 * PaneLayout holds pure functions of the layout and a timestamp; PanePosition remembers the last
 * answer. Nothing here reads state or clocks.
 */
import { TimeWindow } from "./windows.ts";

/**
 * A window spanning more panes than this many times the windows an element is in does not take
 * panes: combining its panes when it fires would cost more than keeping one accumulator per window
 * saves (say 10 s windows every 3 s: 1 ms panes, 10,000 per window, against 4 windows per element).
 */
const MAX_PANES_PER_WINDOW_FACTOR = 2;

export class PaneLayout {
  /** The length of a pane: the largest that divides both the size and the slide. */
  readonly paneSize: number;

  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    this.paneSize = gcd(size, slide);
  }

  /**
   * The panes of windows of `size` ms every `slide` ms aligned to `offset` (integers, 0 < slide ≤
   * size, as the sliding assigners check), or undefined when panes would not pay (see
   * MAX_PANES_PER_WINDOW_FACTOR) or the durations are not whole milliseconds.
   */
  static of(size: number, slide: number, offset: number): PaneLayout | undefined {
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(slide) || !Number.isSafeInteger(offset)) return undefined;
    const layout = new PaneLayout(size, slide, offset);
    const windowsPerElement = Math.ceil(size / slide);
    return size / layout.paneSize <= MAX_PANES_PER_WINDOW_FACTOR * windowsPerElement ? layout : undefined;
  }

  /** The start of the pane holding `time`. */
  paneStart(time: number): number {
    return TimeWindow.getWindowStartWithOffset(time, this.offset, this.paneSize);
  }

  /** The start of the latest window holding `time` (the window whose cleanup comes last). */
  lastWindowStart(time: number): number {
    return TimeWindow.getWindowStartWithOffset(time, this.offset, this.slide);
  }

  /** The end of the earliest window holding `time` (the window that fires first). */
  firstWindowEnd(time: number): number {
    // Window ends are ≡ offset + size (mod slide); the first one after `time`.
    return TimeWindow.getWindowStartWithOffset(time, this.offset + this.size, this.slide) + this.slide;
  }

  /**
   * Where the panes no later window needs end, once `window` is over: every later window starts at
   * or after `window.start + slide`, so the panes that start before it go with `window`.
   */
  firstPaneStartAfter(window: TimeWindow): number {
    return window.start + this.slide;
  }

  toString(): string {
    return `panes of ${this.paneSize} ms`;
  }
}

/**
 * Where a time falls in a layout, kept for the pane looked up last. Every time in one pane has the
 * same answers (window starts and ends are pane boundaries), and times mostly arrive in order, so
 * most lookups cost two comparisons instead of three divisions.
 */
export class PanePosition {
  /** The pane holding the time given last: [paneStart, paneEnd). NaN before the first. */
  paneStart = Number.NaN;
  paneEnd = Number.NaN;
  /** `layout.lastWindowStart` of that time. */
  lastWindowStart = Number.NaN;
  /** `layout.firstWindowEnd` of that time. */
  firstWindowEnd = Number.NaN;

  constructor(private readonly layout: PaneLayout) {}

  /** Moves to the pane holding `time`; returns this. */
  at(time: number): this {
    if (time >= this.paneStart && time < this.paneEnd) return this;
    const layout = this.layout;
    this.paneStart = layout.paneStart(time);
    this.paneEnd = this.paneStart + layout.paneSize;
    this.lastWindowStart = layout.lastWindowStart(time);
    this.firstWindowEnd = layout.firstWindowEnd(time);
    return this;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
