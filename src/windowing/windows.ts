/**
 * Windows: the finite (or, for the global window, endless) buckets a keyed stream is cut into.
 * A window is also the namespace of its contents in keyed state, so windows compare by content
 * (two `TimeWindow`s with equal start and end are one window) and carry only data fields.
 */
import { WeirError } from "../core/errors.ts";
import { CANONICAL_TEXT, COMPOSITE_MARK, NORMALIZED_KEY } from "../core/key-groups.ts";

/**
 * The largest timestamp a window can hold, and the watermark that ends event time: the largest
 * integer a number holds exactly (Flink uses Long.MAX_VALUE).
 */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

export abstract class Window {
  /** The largest timestamp that still belongs to this window. */
  abstract maxTimestamp(): number;
}

/**
 * The window [start, end): `start` inclusive, `end` exclusive, in milliseconds. Its contents end
 * with `maxTimestamp() = end - 1`, the time an event-time trigger fires it at.
 */
export class TimeWindow extends Window {
  /** The normalized form, built on first use: a window is a state namespace and timer namespace for every element it takes. */
  #normalized: string | undefined;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super();
  }

  getStart(): number {
    return this.start;
  }

  getEnd(): number {
    return this.end;
  }

  maxTimestamp(): number {
    return this.end - 1;
  }

  /** Whether the two windows overlap or touch (so that sessions ending where another begins merge). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window that contains both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /** The window's canonical form as a key and state namespace: [start, end] (cheaper to build than an object's). */
  toJSON(): [number, number] {
    return [this.start, this.end];
  }

  /** The canonical text of `toJSON()`. */
  get [CANONICAL_TEXT](): string {
    return windowText(this.start, this.end);
  }

  /**
   * The window's normalized form as a key and state namespace, kept once built (`start` and `end`
   * never change): one string object per (start, end) while it is in use (see normalizedWindow),
   * so its hash is computed once. A copy made without the constructor looks it up each time.
   */
  get [NORMALIZED_KEY](): string {
    const { start, end } = this;
    if (!(#normalized in this)) return normalizedWindow(start, end);
    return (this.#normalized ??= normalizedWindow(start, end));
  }

  /**
   * The start of the window of `windowSize` that holds `timestamp`, windows being aligned to
   * `offset` (Flink's formula): the largest `start <= timestamp` with `start ≡ offset (mod
   * windowSize)`, for negative timestamps and offsets too.
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    // `%` keeps the dividend's sign: a negative remainder is counted back from the next multiple.
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping or touching windows (session windows): sorts them by start, covers each run
   * of intersecting windows, and reports every run of two or more windows to `merge` with the
   * window that covers it. Windows that intersect nothing are not reported.
   */
  static mergeWindows(windows: Iterable<TimeWindow>, merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    let run: TimeWindow[] = [];
    let cover: TimeWindow | undefined;
    const flush = () => {
      if (cover !== undefined && run.length > 1) merge(run, cover);
    };
    for (const window of sorted) {
      if (cover !== undefined && cover.intersects(window)) {
        cover = cover.cover(window);
        run.push(window);
        continue;
      }
      flush();
      cover = window;
      run = [window];
    }
    flush();
  }
}

/**
 * Normalized forms of recently used time windows, in a direct-mapped cache of WINDOW_SLOTS slots
 * by (start, end): a window operator sets the same few windows as namespace again and again, each
 * time as a new object, and a string made once has its hash computed once. A slot taken by
 * another window is overwritten (time moves on, so old windows do not come back); the cost of a
 * miss is only a new string.
 */
const WINDOW_SLOTS = 256;
const slotStarts = new Float64Array(WINDOW_SLOTS).fill(Number.NaN);
const slotEnds = new Float64Array(WINDOW_SLOTS);
const slotKeys: string[] = new Array<string>(WINDOW_SLOTS).fill("");

/** The canonical text of a time window, written directly: a finite number's text is the same in JSON. */
function windowText(start: number, end: number): string {
  return Number.isFinite(start) && Number.isFinite(end) ? `[${start},${end}]` : JSON.stringify([start, end]);
}

function normalizedWindow(start: number, end: number): string {
  // Fibonacci hashing of both bounds: windows are often multiples of a round size, so low bits alone would collide.
  const slot = Math.imul((start | 0) ^ Math.imul(end | 0, 0x85ebca6b), 0x9e3779b1) >>> 24;
  if (slotStarts[slot] === start && slotEnds[slot] === end) return slotKeys[slot]!;
  const normalized = COMPOSITE_MARK + windowText(start, end);
  slotStarts[slot] = start;
  slotEnds[slot] = end;
  slotKeys[slot] = normalized;
  return normalized;
}

/** The one window of `GlobalWindows`: it holds every element and never ends. */
export class GlobalWindow extends Window {
  private static readonly instance = new GlobalWindow();

  private constructor() {
    super();
  }

  static get(): GlobalWindow {
    return GlobalWindow.instance;
  }

  maxTimestamp(): number {
    return MAX_TIMESTAMP;
  }

  equals(other: unknown): boolean {
    return other instanceof GlobalWindow;
  }

  override toString(): string {
    return "GlobalWindow";
  }

  /** The window's canonical form as a key and state namespace. */
  toJSON(): string {
    return "GlobalWindow";
  }
}

/**
 * How windows of one type are stored in checkpointed state and read back (Flink's window
 * serializer): stored forms are plain data, and `fromStored` gives back a window with its methods.
 */
export interface WindowSerializer<W extends Window> {
  toStored(window: W): unknown;
  fromStored(stored: unknown): W;
}

export const timeWindowSerializer: WindowSerializer<TimeWindow> = {
  toStored: (window) => [window.start, window.end],
  fromStored: (stored) => {
    if (!Array.isArray(stored) || stored.length !== 2 || typeof stored[0] !== "number" || typeof stored[1] !== "number") {
      throw new WeirError("WEIR_ERR_STATE_CORRUPT", `a stored time window is not a [start, end] pair of numbers: ${JSON.stringify(stored)}`);
    }
    return new TimeWindow(stored[0], stored[1]);
  },
};

export const globalWindowSerializer: WindowSerializer<GlobalWindow> = {
  toStored: () => 0,
  fromStored: () => GlobalWindow.get(),
};
