/**
 * The context objects handed to process functions (keyed, co-process, non-keyed): every process
 * function context is built here, so what a context offers is wired in one place. One instance
 * per operator is reused for every record and timer, so the hot path allocates nothing.
 */
import type { OnTimerContext, TimerService } from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import { MIN_WATERMARK } from "../../core/watermark.ts";
import type { Clock } from "../../core/clock.ts";
import { WeirError } from "../../core/errors.ts";
import type { TimeDomain } from "../../state/internal-timer-service.ts";
import { VOID_NAMESPACE } from "../../state/timer-queue.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { SideOutputs } from "../side-outputs.ts";
import type { OperatorContext } from "./operator.ts";

/** The keyed services of an operator that cannot run without them; `what` names it in the error. */
export function requireKeyed(context: OperatorContext, what: string): KeyedServices {
  if (context.keyed === undefined) {
    throw new WeirError(
      "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
      `operator '${context.runtime.operatorName}' is ${what}, which needs a keyed stream: apply keyBy() before it`,
    );
  }
  return context.keyed;
}

export class OperatorKeyedContext<K> implements OnTimerContext<K>, TimerService {
  /** The time and domain of the timer firing now; read only inside `onTimer`. */
  private timerTime: number | undefined;
  private domain: TimeDomain = "PROCESSING_TIME";
  /** The watermark of an operator without keyed services, which tracks it through `watermarkAdvanced`. */
  private unkeyedWatermark = MIN_WATERMARK;
  private readonly clock: Clock;
  private readonly operatorName: string;
  private readonly sideOutputs: SideOutputs;
  private readonly time: RecordTimestamp;

  /** `keyed` is undefined on inputs that are not keyed: then there is no key and no timers. */
  constructor(
    private readonly keyed: KeyedServices | undefined,
    context: OperatorContext,
  ) {
    this.clock = context.clock;
    this.operatorName = context.runtime.operatorName;
    this.sideOutputs = context.sideOutputs;
    this.time = context.recordTimestamp;
  }

  /** A timer of `domain` at `time` fires now; `undefined` when it is done. */
  firing(time: number | undefined, domain: TimeDomain): void {
    this.timerTime = time;
    this.domain = domain;
  }

  /** The watermark of an operator that has no keyed services advanced to `watermark`. */
  watermarkAdvanced(watermark: number): void {
    this.unkeyedWatermark = watermark;
  }

  timestamp(): number {
    // Inside onTimer the timer's time, in both domains (Flink); else the record's, null for none.
    return this.timerTime ?? (this.time.current as number);
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }

  getCurrentKey(): K {
    return this.keyed?.backend.getCurrentKey() as K;
  }

  timerService(): TimerService {
    return this;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.sideOutputs.emit(tag, value);
  }

  currentProcessingTime(): number {
    return this.clock.now();
  }

  currentWatermark(): number {
    return this.keyed === undefined ? this.unkeyedWatermark : this.keyed.timers.currentWatermark();
  }

  registerProcessingTimeTimer(time: number): void {
    this.keyedTimers().timers.registerProcessingTimeTimer(VOID_NAMESPACE, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.keyedTimers().timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time);
  }

  registerEventTimeTimer(time: number): void {
    this.keyedTimers().timers.registerEventTimeTimer(VOID_NAMESPACE, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.keyedTimers().timers.deleteEventTimeTimer(VOID_NAMESPACE, time);
  }

  private keyedTimers(): KeyedServices {
    if (this.keyed === undefined) {
      throw new WeirError(
        "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
        `operator '${this.operatorName}' tried to set a timer: Setting timers is only supported on keyed streams; apply keyBy() to its input`,
      );
    }
    return this.keyed;
  }
}
