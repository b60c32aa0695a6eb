/**
 * The built-in watermark generators (Flink's BoundedOutOfOrdernessWatermarks,
 * AscendingTimestampsWatermarks, NoWatermarksGenerator and WatermarksWithIdleness). Pure logic:
 * they see events and periodic calls, and speak only through their WatermarkOutput; idleness reads
 * time from the injected clock.
 */
import type { Clock } from "../core/clock.ts";
import { MIN_WATERMARK, Watermark } from "../core/watermark.ts";
import { invalidArgument } from "../core/errors.ts";

/** Where a watermark generator emits (Flink's WatermarkOutput). */
export interface WatermarkOutput {
  /** Emits a watermark; one that does not advance the output's watermark is dropped. */
  emitWatermark(watermark: Watermark): void;
  /** The input is idle: downstream operators stop waiting for its watermarks until it emits again. */
  markIdle(): void;
  /** The input is active again (emitting a watermark also makes it active). */
  markActive(): void;
}

/**
 * Generates watermarks from the events it sees (punctuated: in `onEvent`) or on a period (in
 * `onPeriodicEmit`, every `getAutoWatermarkInterval()` ms of processing time).
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Refuses a duration that is not zero or more finite milliseconds; `what` names it. */
export function checkDelay(ms: number, what: string): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw invalidArgument(`${what} must be zero or more milliseconds, got ${String(ms)}`);
}

/**
 * Emits, periodically, the highest timestamp seen minus the allowed lateness minus 1: events may
 * arrive up to `maxOutOfOrdernessMs` late, and an event with exactly the watermark's timestamp is
 * late. Before the first event it emits the minimum watermark.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;

  constructor(private readonly outOfOrdernessMs: number) {
    checkDelay(outOfOrdernessMs, "the maximum out-of-orderness");
    this.maxTimestamp = MIN_WATERMARK + outOfOrdernessMs + 1;
  }

  onEvent(_event: T, eventTimestamp: number): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(new Watermark(this.maxTimestamp - this.outOfOrdernessMs - 1));
  }
}

/** Timestamps that never decrease: the out-of-orderness bound is zero. */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}

/** Emits no watermarks (the input still ends with the maximum watermark). */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

/**
 * Whether an input has been without events for `idleTimeoutMs` (Flink's IdlenessTimer). Activity
 * resets it; the timeout is counted from the first check that saw no activity.
 */
export class IdlenessTimer {
  /** Whether an event came since the last check. */
  private active = false;
  /** When a check first saw no activity; undefined while events come. */
  private idleSince: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly idleTimeoutMs: number,
  ) {}

  activity(): void {
    this.active = true;
  }

  checkIfIdle(): boolean {
    if (this.active) {
      this.active = false;
      this.idleSince = undefined;
      return false;
    }
    const now = this.clock.now();
    this.idleSince ??= now;
    return now - this.idleSince >= this.idleTimeoutMs;
  }
}

/** Wraps a generator: marks the input idle once no event came for the timeout, active with the next event. */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly timer: IdlenessTimer;
  private idle = false;

  constructor(
    private readonly generator: WatermarkGenerator<T>,
    idleTimeoutMs: number,
    clock: Clock,
  ) {
    checkDelay(idleTimeoutMs, "the idle timeout");
    this.timer = new IdlenessTimer(clock, idleTimeoutMs);
  }

  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.timer.activity();
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.generator.onEvent(event, eventTimestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.timer.checkIfIdle()) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
    } else {
      this.generator.onPeriodicEmit(output);
    }
  }
}
