/** Never fires (Flink's GlobalWindows.NeverTrigger): the default trigger of global windows, which need a trigger of their own. */
import { Trigger, TriggerResult } from "./trigger.ts";
import type { GlobalWindow } from "./windows.ts";

export class NeverTrigger extends Trigger<unknown, GlobalWindow> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(): void {}

  clear(): void {}

  override toString(): string {
    return "NeverTrigger()";
  }
}
