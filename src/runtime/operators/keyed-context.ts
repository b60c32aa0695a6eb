/**
 * The context objects handed to process functions (keyed, co-process, non-keyed): every process
 * function context is built here, so what a context offers is wired in one place. One instance
 * per operator is reused for every record, so the hot path allocates nothing.
 */
import type { OnTimerContext, TimerService } from "../../api/functions.ts";
import type { OutputTag } from "../../api/output-tag.ts";
import type { Clock } from "../../core/clock.ts";
import { WeirError } from "../../core/errors.ts";
import type { KeyedServices } from "../keyed-services.ts";
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
  timestamp = 0;
  private readonly clock: Clock;
  private readonly operatorName: string;
  private readonly sideOutputs: SideOutputs;

  /** `keyed` is undefined on inputs that are not keyed: then there is no key and no timers. */
  constructor(
    private readonly keyed: KeyedServices | undefined,
    context: OperatorContext,
  ) {
    this.clock = context.clock;
    this.operatorName = context.runtime.operatorName;
    this.sideOutputs = context.sideOutputs;
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

  registerProcessingTimeTimer(time: number): void {
    this.keyedTimers().registerTimer(time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.keyedTimers().deleteTimer(time);
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
