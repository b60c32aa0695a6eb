/**
 * Fires a window each time `maxCount` elements have arrived since it last fired (Flink's
 * CountTrigger). The count is the trigger's state per (key, window), so it is checkpointed with
 * the window and merges when windows merge.
 */
import { ReducingStateDescriptor } from "../state/descriptors.ts";
import { ElementTrigger, TriggerResult, type OnMergeContext, type TriggerContext } from "./trigger.ts";
import { checkCount } from "./window-arguments.ts";
import type { Window } from "./windows.ts";

const countDescriptor = new ReducingStateDescriptor<number>("count", (a, b) => a + b);

export class CountTrigger<W extends Window = Window> extends ElementTrigger<unknown, W> {
  private constructor(private readonly maxCount: number) {
    super();
  }

  /** Fires every `maxCount` elements; `maxCount` must be an integer above 0 (else WEIR_ERR_INVALID_WINDOW). */
  static of<W extends Window = Window>(maxCount: number): CountTrigger<W> {
    return new CountTrigger<W>(checkCount("CountTrigger.of", "maxCount", maxCount));
  }

  onElement(_element: unknown, _timestamp: number | undefined, _window: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(countDescriptor);
    count.add(1);
    if (count.get()! < this.maxCount) return TriggerResult.CONTINUE;
    count.clear();
    return TriggerResult.FIRE;
  }

  override onMerge(_window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(countDescriptor);
  }

  clear(_window: W, ctx: TriggerContext): void {
    ctx.getPartitionedState(countDescriptor).clear();
  }

  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
