/**
 * The context objects handed to keyed user functions. One instance per operator is reused for
 * every record, so the hot path allocates nothing.
 */
import type { OnTimerContext, TimerService } from "../../api/functions.ts";
import type { Clock } from "../../core/clock.ts";
import { WeirError } from "../../core/errors.ts";
import type { KeyedServices } from "../keyed-services.ts";
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

  constructor(
    private readonly keyed: KeyedServices | undefined,
    private readonly clock: Clock,
    private readonly operatorName: string,
  ) {}

  getCurrentKey(): K {
    return this.keyed?.backend.getCurrentKey() as K;
  }

  timerService(): TimerService {
    if (this.keyed === undefined) {
      throw new WeirError(
        "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
        `operator '${this.operatorName}' asked for timers, but timers are scoped to keys: apply keyBy() to its input`,
      );
    }
    return this;
  }

  currentProcessingTime(): number {
    return this.clock.now();
  }

  registerProcessingTimeTimer(time: number): void {
    this.keyed!.registerTimer(time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.keyed!.deleteTimer(time);
  }
}
