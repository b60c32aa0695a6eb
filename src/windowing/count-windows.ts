/**
 * Count windows as Flink builds them for `keyBy(...).countWindow(n)` and `countWindow(n, slide)`:
 * a global window per key with a count trigger. The tumbling form fires and purges every `size`
 * elements; the sliding form fires every `slide` elements over the last `size` (a CountEvictor
 * keeps them), so each firing sees up to `size` elements.
 */
import { CountEvictor } from "./evictors.ts";
import type { Evictor } from "./evictor.ts";
import { CountTrigger } from "./count-trigger.ts";
import { GlobalWindows } from "./global-windows.ts";
import { PurgingTrigger } from "./purging-trigger.ts";
import type { Trigger } from "./trigger.ts";
import { checkCount } from "./window-arguments.ts";
import type { WindowAssigner } from "./window-assigner.ts";
import type { GlobalWindow, Window } from "./windows.ts";

/** What a windowed stream is made of, before its function: the assigner, the trigger and, optionally, an evictor. */
export interface WindowSpec<T, W extends Window> {
  readonly assigner: WindowAssigner<T, W>;
  readonly trigger: Trigger<T, W>;
  readonly evictor?: Evictor<T, W>;
}

/** `countWindow(size)` (tumbling) or `countWindow(size, slide)` (sliding); counts must be integers above 0. */
export function countWindow<T>(size: number, slide?: number): WindowSpec<T, GlobalWindow> {
  checkCount("countWindow", "size", size);
  const assigner = GlobalWindows.create() as WindowAssigner<T, GlobalWindow>;
  if (slide === undefined) return { assigner, trigger: PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)) };
  checkCount("countWindow", "slide", slide);
  return { assigner, trigger: CountTrigger.of<GlobalWindow>(slide), evictor: CountEvictor.of<T>(size) };
}
