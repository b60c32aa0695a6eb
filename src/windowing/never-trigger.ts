/** Never fires (Flink's GlobalWindows.NeverTrigger): the default trigger of global windows, which need a trigger of their own. */
import { ElementTrigger, TriggerResult } from "./trigger.ts";
import type { GlobalWindow } from "./windows.ts";

export class NeverTrigger extends ElementTrigger<unknown, GlobalWindow> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(): void {}

  override toString(): string {
    return "NeverTrigger()";
  }
}
